-- Engagement (issue 16): badges and their awards, recruitment links, toolbox cards and
-- favourites, external resources, the organization's engagement settings, bulk imports.

-- Per organization: the membership page recruitment links send visitors to.
CREATE TABLE engagement_settings (
    organization_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    membership_url TEXT,
    updated_by TEXT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);

-- A badge: what it is called and shows (a shipped icon or an uploaded picture), and what earns
-- it (a trigger kind and its number).
CREATE TABLE badges (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    icon TEXT NOT NULL,
    image_key TEXT,
    image_type TEXT,
    trigger_kind TEXT NOT NULL,
    threshold INTEGER NOT NULL,
    is_active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idx_badges_org_name ON badges (organization_id, name);

-- A badge awarded: once per badge and user (the unique index is what makes awarding
-- idempotent), with when and why.
CREATE TABLE user_badges (
    id TEXT PRIMARY KEY NOT NULL,
    badge_id TEXT NOT NULL REFERENCES badges (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    awarded_at TIMESTAMP NOT NULL,
    reason TEXT NOT NULL
);
CREATE UNIQUE INDEX idx_user_badges_once ON user_badges (badge_id, user_id);
CREATE INDEX idx_user_badges_user ON user_badges (user_id, organization_id, awarded_at);

-- A mentor's personal recruitment link: a random token and a visit counter (no visitor
-- address is kept).
CREATE TABLE recruitment_referrals (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    token TEXT NOT NULL,
    clicks BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    last_click_at TIMESTAMP
);
CREATE UNIQUE INDEX idx_referrals_token ON recruitment_referrals (token);
CREATE UNIQUE INDEX idx_referrals_user ON recruitment_referrals (organization_id, user_id);

-- Conversation starters and practical help for mentors.
CREATE TABLE toolbox_cards (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT NOT NULL,
    position INTEGER NOT NULL,
    image_key TEXT,
    image_type TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_toolbox_cards_order ON toolbox_cards (organization_id, position, id);
CREATE INDEX idx_toolbox_cards_category ON toolbox_cards (organization_id, category, position);

CREATE TABLE toolbox_favourites (
    user_id TEXT NOT NULL REFERENCES users (id),
    card_id TEXT NOT NULL REFERENCES toolbox_cards (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, card_id)
);

-- Curated links (https only), by category.
CREATE TABLE external_resources (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_external_resources_order ON external_resources (organization_id, category, position);

-- An uploaded import file waiting for its preview to be confirmed (status pending), then
-- imported once (done) with the counts.
CREATE TABLE import_batches (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    imported INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    -- After the import: the rejected rows' line numbers and problems (JSON), for the file of
    -- rows to fix.
    result TEXT
);
CREATE INDEX idx_import_batches_org ON import_batches (organization_id, created_at);
