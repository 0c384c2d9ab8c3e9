-- Notifications, reminders, per-user choices and the mail outbox (issue 14).

-- Days without an activity before a mentor is reminded of an assigned contact.
ALTER TABLE organizations ADD COLUMN reminder_inactive_days INTEGER NOT NULL DEFAULT 10;

-- What a user is told in the app: the scenario and its subject; the text is made from the
-- scenario's labels and `params` (JSON) when shown, in the reader's language and terms.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    organization_id TEXT REFERENCES organizations (id),
    context_role TEXT,
    scenario TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    link TEXT NOT NULL,
    params TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX idx_notifications_user ON notifications (user_id, created_at, id);
CREATE INDEX idx_notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- A user's choice per scenario and channel; no row means both on. Critical scenarios are
-- never read from here.
CREATE TABLE notification_settings (
    user_id TEXT NOT NULL REFERENCES users (id),
    scenario TEXT NOT NULL,
    in_app BOOLEAN NOT NULL,
    email BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, scenario)
);

-- Every reminder made by the scenario engine: the unique key (user, scenario, subject, due
-- date) is what makes a reminder once, whichever instance evaluates it.
CREATE TABLE reminders (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    scenario TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    due_on DATE NOT NULL,
    notification_id TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idx_reminders_key ON reminders (user_id, scenario, subject_id, due_on);
CREATE INDEX idx_reminders_subject ON reminders (scenario, subject_id, due_on);

-- Mails waiting to be sent, being sent, sent or given up: written in the transaction of the
-- change that causes them, delivered by a job with retries and backoff.
CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT REFERENCES organizations (id),
    user_id TEXT REFERENCES users (id),
    kind TEXT NOT NULL,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_by TEXT,
    locked_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX idx_mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX idx_mail_outbox_org ON mail_outbox (organization_id, status, created_at);
