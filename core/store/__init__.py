"""The one door to the database: engine, schema, migrations, grants, the cache of readers, the catalogue of stored views and the scoped `View` every reader takes."""
