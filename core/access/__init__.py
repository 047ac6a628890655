"""Who may do what: roles, accounts, sessions, the audit log, recorded actions, exports, settings changes."""
