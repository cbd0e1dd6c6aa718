-- Informed consent. Each submitted version carries the capability manifest the service derived from its
-- content and its pinned dependencies (what it can reach: tools, hosts, credential slots, models; and what an
-- install creates), with the manifest's digest; approval records the digest of the content the listing took.
-- Installs record the manifest they were granted. Versions submitted before this migration have none.

ALTER TABLE item_versions
    ADD COLUMN capabilities        jsonb CHECK (capabilities IS NULL OR jsonb_typeof(capabilities) = 'object'),
    ADD COLUMN capabilities_digest text  CHECK (capabilities_digest ~ '^[0-9a-f]{64}$'),
    -- SHA-256 of the listing's content as approved (the fingerprint installs record): an install whose
    -- clone fingerprints differently refuses (content_changed).
    ADD COLUMN content_digest      text  CHECK (content_digest ~ '^[0-9a-f]{64}$');

-- What an approved version can reach and what it is never changes: a manifest or digest, once set on an
-- approved version, cannot be replaced, whoever writes.
CREATE FUNCTION marketplace_freeze_approved_manifest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'approved' AND (
           (OLD.capabilities IS NOT NULL AND NEW.capabilities IS DISTINCT FROM OLD.capabilities)
        OR (OLD.capabilities_digest IS NOT NULL AND NEW.capabilities_digest IS DISTINCT FROM OLD.capabilities_digest)
        OR (OLD.content_digest IS NOT NULL AND NEW.content_digest IS DISTINCT FROM OLD.content_digest)) THEN
        RAISE EXCEPTION 'the manifest and content digest of an approved version never change'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER item_versions_freeze_approved_manifest BEFORE UPDATE ON item_versions
    FOR EACH ROW EXECUTE FUNCTION marketplace_freeze_approved_manifest();

-- The manifest an install was granted (an item's record: the union over its whole cascade, the digest the
-- installer accepted; a dependency's record: that dependency's own), and the one its last update granted.
ALTER TABLE marketplace_installs
    ADD COLUMN capabilities        jsonb CHECK (capabilities IS NULL OR jsonb_typeof(capabilities) = 'object'),
    ADD COLUMN capabilities_digest text  CHECK (capabilities_digest ~ '^[0-9a-f]{64}$');
