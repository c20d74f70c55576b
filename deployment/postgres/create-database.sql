-- PostgreSQL for cloudpark (run as a superuser: psql -f create-database.sql).
-- cloudpark creates and upgrades its own tables (Flyway) at start-up; it needs a database it owns.
CREATE ROLE cloudpark LOGIN PASSWORD 'change-me';
CREATE DATABASE cloudpark OWNER cloudpark ENCODING 'UTF8';
