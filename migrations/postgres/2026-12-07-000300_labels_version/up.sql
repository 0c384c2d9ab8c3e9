-- A number bumped on every change of an organization's label overrides, so that every app
-- instance can keep its resolved labels per (organization, version, language) and still see an
-- edit made through another instance at the next request (issue 10). Triggers keep it right
-- however the overrides change.
ALTER TABLE organizations ADD COLUMN labels_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION organization_labels_bump_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE organizations SET labels_version = labels_version + 1
        WHERE id = NEW.organization_id;
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.organization_id <> NEW.organization_id) THEN
        UPDATE organizations SET labels_version = labels_version + 1
        WHERE id = OLD.organization_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER organization_labels_version AFTER INSERT OR UPDATE OR DELETE ON organization_labels
FOR EACH ROW EXECUTE FUNCTION organization_labels_bump_version();
