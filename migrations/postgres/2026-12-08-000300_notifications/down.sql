DROP TABLE mail_outbox;
DROP TABLE reminders;
DROP TABLE notification_settings;
DROP TABLE notifications;
ALTER TABLE organizations DROP COLUMN reminder_inactive_days;
