"""Files -> store: import, validation, uploads and their record, the template, the error report, the extract written back."""
