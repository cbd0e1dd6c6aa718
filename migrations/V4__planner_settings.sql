-- Planner settings for this database, in effect for every new session (none is SET on the request path,
-- which would pin RDS Proxy connections).
--   random_page_cost: storage is SSD (RDS gp3/io2, a developer's laptop); at the default 4 the planner
--     prefers sequential scans to the trigram indexes that search relies on.
--   jit: request statements run in milliseconds; compiling them costs tens.
--   max_parallel_workers_per_gather: starting workers costs more than the scans they would share.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET random_page_cost = 1.1', current_database());
    EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
    EXECUTE format('ALTER DATABASE %I SET max_parallel_workers_per_gather = 0', current_database());
END
$$;
