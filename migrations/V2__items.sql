-- The five item tables of the ownership pattern: marketplace and workspace items share one table per kind,
-- told apart by owner_type. Ids come from one sequence, so an id names one item across all kinds.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE DOMAIN item_kind AS text
    CHECK (VALUE IN ('agent', 'recipe', 'skill', 'llm', 'tool'));

-- SemVer 2.0 (semver.org's own grammar). The service parses versions too; this keeps bad ones out of the
-- database whoever writes.
CREATE DOMAIN semver AS text
    CHECK (VALUE ~ '^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-((0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?$');

CREATE SEQUENCE item_id_seq AS bigint;

CREATE TABLE agents (
    agent_type    text  NOT NULL DEFAULT 'assistant',
    configuration jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(configuration) = 'object'),
    model_config  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(model_config) = 'object')
);

CREATE TABLE workflow_templates (
    definition         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(definition) = 'object'),
    steps              jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(steps) = 'array'),
    required_tools     jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(required_tools) = 'array'),
    recommended_agents jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(recommended_agents) = 'array')
);

CREATE TABLE skills (
    skill_type text NOT NULL DEFAULT 'prompt',
    content    text NOT NULL DEFAULT ''
);

CREATE TABLE llm_models (
    provider                text             NOT NULL CHECK (provider <> ''),
    model_id                text             NOT NULL CHECK (model_id <> ''),
    context_window          integer          CHECK (context_window > 0),
    max_output_tokens       integer          CHECK (max_output_tokens > 0),
    input_cost_per_mtok     double precision CHECK (input_cost_per_mtok >= 0),
    output_cost_per_mtok    double precision CHECK (output_cost_per_mtok >= 0),
    capabilities            jsonb            NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(capabilities) = 'array'),
    config                  jsonb            NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(config) = 'object'),
    -- Rows upserted from the LLM catalog data file; (provider, model_id) is their key.
    from_catalog            boolean          NOT NULL DEFAULT false
);

CREATE TABLE tools (
    app_slug text  NOT NULL CHECK (app_slug <> ''),
    config   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(config) = 'object')
);

-- The ownership columns, their rules and the listing indexes are the same for every kind: define them once.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['agents', 'workflow_templates', 'skills', 'llm_models', 'tools'] LOOP
        EXECUTE format($f$
            ALTER TABLE %1$I
                ADD COLUMN id                   bigint      NOT NULL DEFAULT nextval('item_id_seq') PRIMARY KEY,
                ADD COLUMN name                 text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
                ADD COLUMN description          text        NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
                ADD COLUMN owner_type           text        NOT NULL CHECK (owner_type IN ('marketplace', 'workspace')),
                ADD COLUMN owner_id             text,
                ADD COLUMN workspace_id         uuid        REFERENCES workspaces (id) ON DELETE CASCADE,
                ADD COLUMN is_approved          boolean     NOT NULL DEFAULT false,
                ADD COLUMN is_featured          boolean     NOT NULL DEFAULT false,
                ADD COLUMN install_count        integer     NOT NULL DEFAULT 0 CHECK (install_count >= 0),
                ADD COLUMN cloned_from_id       bigint      REFERENCES %1$I (id) ON DELETE SET NULL,
                ADD COLUMN original_creator_id  bigint      REFERENCES users (id) ON DELETE SET NULL,
                ADD COLUMN marketplace_category text        CHECK (length(marketplace_category) BETWEEN 1 AND 100),
                ADD COLUMN marketplace_icon     text        CHECK (length(marketplace_icon) <= 2000),
                ADD COLUMN version              semver      NOT NULL DEFAULT '1.0.0',
                ADD COLUMN tags                 jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tags) = 'array'),
                ADD COLUMN delisted_at          timestamptz,
                ADD COLUMN created_at           timestamptz NOT NULL DEFAULT now(),
                ADD COLUMN updated_at           timestamptz NOT NULL DEFAULT now(),
                ADD CONSTRAINT %1$s_owner_agrees CHECK (
                    (owner_type = 'marketplace' AND workspace_id IS NULL AND owner_id IS NULL)
                    OR (owner_type = 'workspace' AND workspace_id IS NOT NULL AND owner_id = workspace_id::text)),
                ADD CONSTRAINT %1$s_workspace_name_key UNIQUE (workspace_id, name)
        $f$, t);

        -- Listing: one partial index per sort order, plus category and featured, over listed marketplace rows.
        -- The flags the listing filters on are included, so a page is read by an index-only scan.
        EXECUTE format($f$
            CREATE INDEX %1$s_popular_idx ON %1$I (install_count DESC, created_at DESC, id DESC)
                INCLUDE (is_approved, is_featured) WHERE owner_type = 'marketplace' AND delisted_at IS NULL;
            CREATE INDEX %1$s_newest_idx ON %1$I (created_at DESC, id DESC)
                INCLUDE (is_approved, is_featured) WHERE owner_type = 'marketplace' AND delisted_at IS NULL;
            CREATE INDEX %1$s_updated_idx ON %1$I (updated_at DESC, id DESC)
                INCLUDE (is_approved, is_featured) WHERE owner_type = 'marketplace' AND delisted_at IS NULL;
            CREATE INDEX %1$s_name_idx ON %1$I (lower(name), id)
                INCLUDE (name, is_approved, is_featured) WHERE owner_type = 'marketplace' AND delisted_at IS NULL;
            CREATE INDEX %1$s_category_popular_idx
                ON %1$I (lower(marketplace_category), install_count DESC, created_at DESC, id DESC)
                INCLUDE (is_approved, is_featured) WHERE owner_type = 'marketplace' AND delisted_at IS NULL;
            CREATE INDEX %1$s_featured_popular_idx ON %1$I (install_count DESC, created_at DESC, id DESC)
                INCLUDE (is_approved) WHERE owner_type = 'marketplace' AND delisted_at IS NULL AND is_featured;
            CREATE INDEX %1$s_name_trgm_idx ON %1$I USING gin (name gin_trgm_ops)
                WHERE owner_type = 'marketplace' AND delisted_at IS NULL;
            CREATE INDEX %1$s_description_trgm_idx ON %1$I USING gin (description gin_trgm_ops)
                WHERE owner_type = 'marketplace' AND delisted_at IS NULL;
            CREATE INDEX %1$s_cloned_from_idx ON %1$I (cloned_from_id) WHERE cloned_from_id IS NOT NULL;
        $f$, t);
    END LOOP;
END
$$;

CREATE UNIQUE INDEX llm_models_catalog_key ON llm_models (provider, model_id) WHERE from_catalog;
-- An agent's detail names the listed LLM its model_config points at.
CREATE INDEX llm_models_model_idx ON llm_models (model_id) WHERE owner_type = 'marketplace' AND delisted_at IS NULL;

-- Skills are global once they are marketplace skills; an agent links to skills, never copies them.
CREATE TABLE agent_skills (
    agent_id bigint NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    skill_id bigint NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
    PRIMARY KEY (agent_id, skill_id)
);
CREATE INDEX agent_skills_skill_idx ON agent_skills (skill_id);

-- Tool assignments; the app's name and icon come from composio_apps_cache.
CREATE TABLE agent_tools (
    agent_id bigint NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    app_slug text   NOT NULL CHECK (app_slug <> ''),
    PRIMARY KEY (agent_id, app_slug)
);

CREATE TABLE composio_apps_cache (
    id           bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    app_slug     text        NOT NULL UNIQUE CHECK (app_slug <> ''),
    app_name     text        NOT NULL,
    display_name text,
    logo_url     text,
    description  text        NOT NULL DEFAULT '',
    categories   jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(categories) = 'array'),
    auth_schemes jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(auth_schemes) = 'array'),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
