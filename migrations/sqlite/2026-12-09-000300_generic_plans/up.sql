-- Indexes whose ranges the lists' generic plans take (the app's PostgreSQL connections run
-- with plan_cache_mode = force_generic_plan, see ARCHITECTURE.md "Fixed cost per page"):
-- a peer mentor's activities (organization, mentor and status equal, in date order: before,
-- the generic plan took idx_activities_org_figures and sorted), a mentor's waiting claims, and
-- the claims drawn for a spot check (by organization and by association), each one ordered
-- range instead of a scan of every approved claim; a contact's activities by status (the
-- latest, and whether there is one since a date, from the index alone: the generic plan read
-- the organization's figures index for each contact).
CREATE INDEX idx_activities_org_mentor_status ON activities (organization_id, mentor_id, status, occurred_on, id);
CREATE INDEX idx_activities_contact_status ON activities (contact_id, status, occurred_on, id);
CREATE INDEX idx_reimbursements_mentor_queue ON reimbursements (organization_id, user_id, status, submitted_at, id);
CREATE INDEX idx_reimbursements_spot_check ON reimbursements (organization_id, spot_check, submitted_at, id);
CREATE INDEX idx_reimbursements_association_spot ON reimbursements (local_association_id, spot_check, submitted_at, id);
