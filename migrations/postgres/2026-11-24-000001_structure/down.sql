DROP TABLE organization_labels;
DROP TABLE settings;
DROP TABLE user_organization_roles;
DROP TABLE users;
DROP TABLE roles;
DROP TABLE local_associations;
DROP TABLE regions;
DROP TABLE organizations;
