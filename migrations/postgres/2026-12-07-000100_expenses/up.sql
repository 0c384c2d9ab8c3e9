-- Expenses and reimbursement claims (issue 11). Money is integer øre; mileage distance is
-- kept in tenths of a kilometre. A claim is decided with one conditional UPDATE on its
-- status (and `version`), whose affected-row count decides who won.

CREATE TABLE expense_types (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    receipt_required_above_ore BIGINT,
    max_line_ore BIGINT,
    max_claim_ore BIGINT,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (kind IN ('mileage', 'toll', 'parking', 'transit', 'other'))
);
CREATE UNIQUE INDEX idx_expense_types_org_name ON expense_types (organization_id, name_key);

-- Types that may not both be claimed on the same day (mileage and public transit): one row
-- per pair, the smaller id first.
CREATE TABLE expense_type_exclusions (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    type_a TEXT NOT NULL REFERENCES expense_types (id),
    type_b TEXT NOT NULL REFERENCES expense_types (id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idx_expense_type_exclusions_pair ON expense_type_exclusions (type_a, type_b);
CREATE INDEX idx_expense_type_exclusions_org ON expense_type_exclusions (organization_id);

-- Mileage rates in øre per km, in force from a date until the next row's date.
CREATE TABLE mileage_rates (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    effective_from DATE NOT NULL,
    rate_ore INTEGER NOT NULL,
    tax_free_ore INTEGER NOT NULL,
    passenger_ore INTEGER NOT NULL,
    forest_road_ore INTEGER NOT NULL,
    trailer_ore INTEGER NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    CHECK (rate_ore >= 0 AND tax_free_ore >= 0 AND passenger_ore >= 0 AND forest_road_ore >= 0 AND trailer_ore >= 0)
);
CREATE UNIQUE INDEX idx_mileage_rates_org_from ON mileage_rates (organization_id, effective_from);

-- The organization's claim rules: the automatic approval limit and the spot-check share.
CREATE TABLE expense_settings (
    organization_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    auto_approve_max_ore BIGINT NOT NULL,
    spot_check_percent INTEGER NOT NULL,
    updated_by TEXT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    CHECK (auto_approve_max_ore >= 0 AND spot_check_percent BETWEEN 0 AND 100)
);

CREATE TABLE reimbursements (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    local_association_id TEXT NOT NULL REFERENCES local_associations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    total_ore BIGINT NOT NULL DEFAULT 0,
    tax_free_ore BIGINT NOT NULL DEFAULT 0,
    taxable_ore BIGINT NOT NULL DEFAULT 0,
    line_count INTEGER NOT NULL DEFAULT 0,
    review_reasons TEXT NOT NULL DEFAULT '',
    spot_check TEXT NOT NULL DEFAULT 'none',
    submitted_at TIMESTAMP,
    decided_at TIMESTAMP,
    decided_by TEXT REFERENCES users (id),
    decision_note TEXT,
    export_id TEXT,
    paid_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (status IN ('draft', 'submitted', 'returned', 'approved', 'rejected', 'paid')),
    CHECK (spot_check IN ('none', 'pending', 'done'))
);
CREATE INDEX idx_reimbursements_queue ON reimbursements (organization_id, status, submitted_at, id);
CREATE INDEX idx_reimbursements_association ON reimbursements (local_association_id, status, submitted_at, id);
CREATE INDEX idx_reimbursements_user ON reimbursements (user_id, created_at);
CREATE INDEX idx_reimbursements_export ON reimbursements (export_id);

CREATE TABLE expenses (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    local_association_id TEXT NOT NULL REFERENCES local_associations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    expense_type_id TEXT NOT NULL REFERENCES expense_types (id),
    activity_id TEXT REFERENCES activities (id),
    reimbursement_id TEXT REFERENCES reimbursements (id),
    spent_on DATE NOT NULL,
    amount_ore BIGINT NOT NULL,
    tax_free_ore BIGINT NOT NULL,
    taxable_ore BIGINT NOT NULL,
    km_tenths INTEGER,
    passengers INTEGER,
    forest_road BOOLEAN NOT NULL DEFAULT FALSE,
    trailer BOOLEAN NOT NULL DEFAULT FALSE,
    from_place TEXT,
    to_place TEXT,
    purpose TEXT,
    mileage_rate_id TEXT REFERENCES mileage_rates (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (amount_ore >= 0 AND tax_free_ore >= 0 AND taxable_ore >= 0 AND amount_ore = tax_free_ore + taxable_ore)
);
CREATE INDEX idx_expenses_user_claim ON expenses (user_id, reimbursement_id, spent_on);
CREATE INDEX idx_expenses_claim ON expenses (reimbursement_id);
CREATE INDEX idx_expenses_activity ON expenses (activity_id);

CREATE TABLE receipts (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    expense_id TEXT NOT NULL REFERENCES expenses (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_receipts_expense ON receipts (expense_id);

-- Every decision on a claim: automatic or by a person, with the rules it rested on.
CREATE TABLE reimbursement_approvals (
    id TEXT PRIMARY KEY NOT NULL,
    reimbursement_id TEXT NOT NULL REFERENCES reimbursements (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    decision TEXT NOT NULL,
    automatic BOOLEAN NOT NULL,
    decided_by TEXT REFERENCES users (id),
    reason TEXT,
    rules TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    CHECK (decision IN ('approved', 'rejected', 'returned', 'waiting', 'spot_checked'))
);
CREATE INDEX idx_reimbursement_approvals_claim ON reimbursement_approvals (reimbursement_id, created_at);

-- An export to accounting: the claims it holds carry its id, so none is exported twice.
CREATE TABLE reimbursement_exports (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    claim_count INTEGER NOT NULL,
    total_ore BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    paid_at TIMESTAMP,
    paid_by TEXT REFERENCES users (id)
);
CREATE INDEX idx_reimbursement_exports_org ON reimbursement_exports (organization_id, created_at);

-- Honorarium tiers per local association: from `min_count` completed assignments in a year,
-- the year's honorarium is `amount_ore` (the highest tier reached applies).
CREATE TABLE honorarium_thresholds (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    local_association_id TEXT NOT NULL REFERENCES local_associations (id),
    min_count INTEGER NOT NULL,
    amount_ore BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK (min_count > 0 AND amount_ore >= 0)
);
CREATE UNIQUE INDEX idx_honorarium_thresholds_tier ON honorarium_thresholds (local_association_id, min_count);
CREATE INDEX idx_honorarium_thresholds_org ON honorarium_thresholds (organization_id);
