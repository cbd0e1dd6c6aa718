-- One-time database setup for the marketplace, run with psql as the cluster's master user (on RDS/Aurora
-- not a superuser: it has CREATEROLE and CREATEDB, and is a member of rds_superuser):
--
--   psql "host=<cluster writer endpoint> port=5432 dbname=postgres user=<master> sslmode=require" \
--        -v db=marketplace -v owner_role=marketplace_owner -v app_role=marketplace_app \
--        -f deploy/database-setup.sql
--
-- It creates:
--   * :owner_role - owns the database and every object the migrations create (tables, DOMAINs, functions,
--     triggers, the pg_trgm extension, ALTER DATABASE ... SET planner settings). Only the migrate function
--     connects as it. No role settings: the migrate function sets its own timeouts to 0.
--   * :app_role - the role the 41 route functions connect as: SELECT/INSERT/UPDATE/DELETE on tables,
--     USAGE/SELECT on sequences, EXECUTE on functions, now and for everything later migrations create
--     (ALTER DEFAULT PRIVILEGES FOR ROLE :owner_role); no DDL, no TEMP. Role settings bound every
--     serving session (README, "Time bounds and faults"), so nothing is SET per session through RDS Proxy.
--   * marketplace_platform - optional, for a platform that owns workspaces and memberships: it may only
--     call marketplace_sync_workspace, marketplace_sync_member and marketplace_remove_member (V15), which
--     keep them in step (README, "Users, admins and workspaces").
--   * :db, owned by :owner_role.
-- Both roles log in with IAM authentication only (no password): on RDS they are granted rds_iam. See
--   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html
-- and, for RDS Proxy end-to-end IAM authentication (the proxy itself logs in to the database with IAM),
--   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy-iam-migration.html
-- The master user is not a superuser (NOSUPERUSER CREATEDB CREATEROLE, member of rds_superuser):
--   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.rds_superuser.html
-- pg_trgm is a trusted extension (PostgreSQL 13+), so the database owner may create it without rds_superuser:
--   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.FeatureSupport.Extensions.html
--   https://www.postgresql.org/docs/current/pgtrgm.html
--
-- Safe to run again (everything is created only when missing, grants are repeated). Needs PostgreSQL 15 or
-- newer: from 15 on, the schema `public` of a new database belongs to its owner and PUBLIC cannot create in
-- it. The same file runs unchanged on a plain PostgreSQL (where rds_iam does not exist); the integration
-- test tests/it/database_setup.rs runs it there with a non-superuser master, as RDS has.

\set ON_ERROR_STOP on

\if :{?db}
\else
\echo 'set the names: psql -v db=... -v owner_role=... -v app_role=... -f deploy/database-setup.sql'
\quit
\endif
\if :{?owner_role}
\else
\echo 'set -v owner_role=...'
\quit
\endif
\if :{?app_role}
\else
\echo 'set -v app_role=...'
\quit
\endif

-- The roles. LOGIN without a password: with rds_iam, RDS accepts only IAM auth tokens for them.
SELECT format('CREATE ROLE %I LOGIN', :'owner_role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner_role') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'app_role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_role') \gexec
SELECT 'CREATE ROLE marketplace_platform LOGIN'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'marketplace_platform') \gexec

-- CREATE DATABASE ... OWNER, ALTER DEFAULT PRIVILEGES FOR ROLE and SET ROLE below need the master to be a
-- member of the owner role (CREATEROLE alone is not membership; from PostgreSQL 16 the creator gets only
-- ADMIN OPTION on the roles it creates).
SELECT format('GRANT %I TO CURRENT_USER', :'owner_role') \gexec

-- IAM database authentication, only where the role exists (RDS and Aurora); a plain PostgreSQL skips it.
SELECT format('GRANT rds_iam TO %I, %I, marketplace_platform', :'owner_role', :'app_role')
 WHERE EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam') \gexec

-- The serving bounds of the app role (README, "Time bounds and faults"), all below the 8 s request budget
-- and the functions' 10 s timeout. As role settings they apply to every session RDS Proxy opens for the
-- role, and nothing needs to SET them (a SET would pin the proxy's connection to one client).
ALTER ROLE :"app_role" SET statement_timeout = '3s';
ALTER ROLE :"app_role" SET lock_timeout = '2s';
ALTER ROLE :"app_role" SET idle_in_transaction_session_timeout = '5s';
ALTER ROLE :"app_role" SET client_connection_check_interval = '1s';
-- None for the owner: migrations may rewrite large tables and wait for locks.
ALTER ROLE :"owner_role" RESET ALL;

SELECT format('CREATE DATABASE %I OWNER %I TEMPLATE template0 ENCODING %L', :'db', :'owner_role', 'UTF8')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec

-- Only these roles (and the owner's members, the master among them) may connect; nobody else gets TEMP.
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app_role", marketplace_platform;

\connect :"db"

-- In the new database, as its owner, so the owner is the grantor of everything below.
SET ROLE :"owner_role";

-- public belongs to the database owner (pg_database_owner); only the owner creates in it.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app_role", marketplace_platform;

-- Whatever the migrations create from now on is usable by the app role, without DDL rights.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public
    GRANT EXECUTE ON FUNCTIONS TO :"app_role";

-- And what already exists, when this file runs again after migrations.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
-- Except the moderation logs (V19, V20), which the service may only append to.
SELECT format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM %I', log, :'app_role')
  FROM unnest(ARRAY['moderation_log', 'catalog_moderation_log']) log
 WHERE to_regclass('public.' || log) IS NOT NULL \gexec
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO :"app_role";
SELECT format('GRANT EXECUTE ON FUNCTION %s TO marketplace_platform', f)
  FROM unnest(ARRAY['marketplace_sync_workspace(uuid, text)', 'marketplace_sync_member(uuid, text, text, text)',
                    'marketplace_remove_member(uuid, text)']) f
 WHERE to_regprocedure(f) IS NOT NULL \gexec

RESET ROLE;
