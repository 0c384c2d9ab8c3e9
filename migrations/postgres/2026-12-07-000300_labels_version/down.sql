DROP TRIGGER organization_labels_version ON organization_labels;
DROP FUNCTION organization_labels_bump_version();
ALTER TABLE organizations DROP COLUMN labels_version;
