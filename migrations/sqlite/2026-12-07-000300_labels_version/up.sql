-- A number bumped on every change of an organization's label overrides, so that every app
-- instance can keep its resolved labels per (organization, version, language) and still see an
-- edit made through another instance at the next request (issue 10). Triggers keep it right
-- however the overrides change.
ALTER TABLE organizations ADD COLUMN labels_version BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER organization_labels_version_insert AFTER INSERT ON organization_labels
BEGIN
    UPDATE organizations SET labels_version = labels_version + 1 WHERE id = NEW.organization_id;
END;

CREATE TRIGGER organization_labels_version_update AFTER UPDATE ON organization_labels
BEGIN
    UPDATE organizations SET labels_version = labels_version + 1
    WHERE id = NEW.organization_id OR id = OLD.organization_id;
END;

CREATE TRIGGER organization_labels_version_delete AFTER DELETE ON organization_labels
BEGIN
    UPDATE organizations SET labels_version = labels_version + 1 WHERE id = OLD.organization_id;
END;
