//! Diesel table definitions, one schema for both backends (see `migrations/sqlite` and
//! `migrations/postgres`). Ids are UUIDs as text; instants are UTC `Timestamp`.

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        short_name -> Text,
        org_number -> Nullable<Text>,
        default_locale -> Text,
        is_active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        labels_version -> BigInt,
        reminder_inactive_days -> Integer,
    }
}

diesel::table! {
    regions (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        code -> Nullable<Text>,
        is_active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    local_associations (id) {
        id -> Text,
        organization_id -> Text,
        region_id -> Nullable<Text>,
        name -> Text,
        name_key -> Text,
        short_code -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        address -> Nullable<Text>,
        is_active -> Bool,
        external_id -> Nullable<Text>,
        metadata -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    roles (id) {
        id -> Text,
        level -> Integer,
        scope -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        phone -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        is_active -> Bool,
        last_login_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        name_key -> Text,
        deactivated_at -> Nullable<Timestamp>,
        pending_email -> Nullable<Text>,
    }
}

diesel::table! {
    user_organization_roles (id) {
        id -> Text,
        user_id -> Text,
        organization_id -> Nullable<Text>,
        role_id -> Text,
        local_association_id -> Nullable<Text>,
        granted_by -> Nullable<Text>,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<Text>,
    }
}

diesel::table! {
    settings (user_id) {
        user_id -> Text,
        language -> Text,
        notify_email -> Bool,
        notify_in_app -> Bool,
        larger_text -> Bool,
        high_contrast -> Bool,
        reduced_motion -> Bool,
        calendar_week_start -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    organization_labels (id) {
        id -> Text,
        organization_id -> Text,
        locale -> Text,
        key -> Text,
        text -> Text,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        key_hash -> Text,
        user_id -> Nullable<Text>,
        state -> Text,
        login_method -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        ip -> Nullable<Text>,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        absolute_expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        organization_id -> Text,
        user_id -> Text,
        email -> Text,
        role_id -> Text,
        local_association_id -> Nullable<Text>,
        invited_by -> Text,
        new_account -> Bool,
        status -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    auth_tokens (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        token_hash -> Text,
        issuer -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        rotated_from_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        window_start -> Timestamp,
        count -> Integer,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        seq -> BigInt,
        organization_id -> Nullable<Text>,
        actor_user_id -> Nullable<Text>,
        action -> Text,
        target_type -> Nullable<Text>,
        target_id -> Nullable<Text>,
        detail -> Nullable<Text>,
        ip -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_chain (pos) {
        pos -> BigInt,
        entry_id -> Text,
        prev_hash -> Text,
        hash -> Text,
        chained_at -> Timestamp,
    }
}

diesel::table! {
    audit_pending (entry_id) {
        entry_id -> Text,
    }
}

diesel::table! {
    peer_mentors (id) {
        id -> Text,
        user_id -> Text,
        organization_id -> Text,
        status -> Text,
        started_on -> Date,
        availability -> Nullable<Text>,
        languages -> Nullable<Text>,
        max_contacts -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    peer_mentor_status_log (id) {
        id -> Text,
        peer_mentor_id -> Text,
        status -> Text,
        reason -> Text,
        changed_by -> Nullable<Text>,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    contacts (id) {
        id -> Text,
        organization_id -> Text,
        local_association_id -> Text,
        name -> Text,
        name_key -> Text,
        birth_year -> Nullable<Integer>,
        phone -> Nullable<Text>,
        phone_key -> Nullable<Text>,
        email -> Nullable<Text>,
        municipality -> Nullable<Text>,
        interest_group -> Nullable<Text>,
        sensitive_notes -> Nullable<Text>,
        consent_given -> Bool,
        consent_on -> Nullable<Date>,
        is_active -> Bool,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        street_address -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        postal_place -> Nullable<Text>,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    contact_mentors (id) {
        id -> Text,
        contact_id -> Text,
        user_id -> Text,
        assigned_by -> Nullable<Text>,
        assigned_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    caregivers (id) {
        id -> Text,
        contact_id -> Text,
        name -> Text,
        relation -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        may_contact -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notes (id) {
        id -> Text,
        contact_id -> Text,
        author_id -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    activity_types (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        name_key -> Text,
        kind -> Text,
        bufdir_category -> Nullable<Text>,
        requires_duration -> Bool,
        requires_participants -> Bool,
        requires_contact -> Bool,
        allows_expenses -> Bool,
        is_active -> Bool,
        sort_order -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    events (id) {
        id -> Text,
        organization_id -> Text,
        local_association_id -> Text,
        activity_type_id -> Nullable<Text>,
        title -> Text,
        description -> Nullable<Text>,
        place -> Nullable<Text>,
        starts_at -> Timestamp,
        duration_minutes -> Integer,
        capacity -> Nullable<Integer>,
        status -> Text,
        activity_id -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        seats_taken -> Integer,
        cancel_reason -> Nullable<Text>,
        requires_approval -> Bool,
    }
}

diesel::table! {
    event_attendees (id) {
        id -> Text,
        event_id -> Text,
        user_id -> Text,
        status -> Text,
        registered_at -> Timestamp,
        marked_at -> Nullable<Timestamp>,
        marked_by -> Nullable<Text>,
    }
}

diesel::table! {
    activities (id) {
        id -> Text,
        organization_id -> Text,
        local_association_id -> Text,
        activity_type_id -> Text,
        mentor_id -> Text,
        registered_by -> Text,
        is_proxy -> Bool,
        occurred_on -> Date,
        duration_minutes -> Nullable<Integer>,
        contact_id -> Nullable<Text>,
        participants -> Nullable<Integer>,
        description -> Nullable<Text>,
        status -> Text,
        bufdir_counts -> Bool,
        bufdir_reason -> Text,
        event_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    documents (id) {
        id -> Text,
        organization_id -> Text,
        activity_id -> Text,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        storage_key -> Text,
        uploaded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    expense_types (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        name_key -> Text,
        kind -> Text,
        receipt_required_above_ore -> Nullable<BigInt>,
        max_line_ore -> Nullable<BigInt>,
        max_claim_ore -> Nullable<BigInt>,
        is_active -> Bool,
        sort_order -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    expense_type_exclusions (id) {
        id -> Text,
        organization_id -> Text,
        type_a -> Text,
        type_b -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mileage_rates (id) {
        id -> Text,
        organization_id -> Text,
        effective_from -> Date,
        rate_ore -> Integer,
        tax_free_ore -> Integer,
        passenger_ore -> Integer,
        forest_road_ore -> Integer,
        trailer_ore -> Integer,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    expense_settings (organization_id) {
        organization_id -> Text,
        auto_approve_max_ore -> BigInt,
        spot_check_percent -> Integer,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reimbursements (id) {
        id -> Text,
        organization_id -> Text,
        local_association_id -> Text,
        user_id -> Text,
        status -> Text,
        version -> Integer,
        total_ore -> BigInt,
        tax_free_ore -> BigInt,
        taxable_ore -> BigInt,
        line_count -> Integer,
        review_reasons -> Text,
        spot_check -> Text,
        submitted_at -> Nullable<Timestamp>,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
        decision_note -> Nullable<Text>,
        export_id -> Nullable<Text>,
        paid_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    expenses (id) {
        id -> Text,
        organization_id -> Text,
        local_association_id -> Text,
        user_id -> Text,
        expense_type_id -> Text,
        activity_id -> Nullable<Text>,
        reimbursement_id -> Nullable<Text>,
        spent_on -> Date,
        amount_ore -> BigInt,
        tax_free_ore -> BigInt,
        taxable_ore -> BigInt,
        km_tenths -> Nullable<Integer>,
        passengers -> Nullable<Integer>,
        forest_road -> Bool,
        trailer -> Bool,
        from_place -> Nullable<Text>,
        to_place -> Nullable<Text>,
        purpose -> Nullable<Text>,
        mileage_rate_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    receipts (id) {
        id -> Text,
        organization_id -> Text,
        expense_id -> Text,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        storage_key -> Text,
        uploaded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reimbursement_approvals (id) {
        id -> Text,
        reimbursement_id -> Text,
        organization_id -> Text,
        decision -> Text,
        automatic -> Bool,
        decided_by -> Nullable<Text>,
        reason -> Nullable<Text>,
        rules -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reimbursement_exports (id) {
        id -> Text,
        organization_id -> Text,
        claim_count -> Integer,
        total_ore -> BigInt,
        created_by -> Text,
        created_at -> Timestamp,
        paid_at -> Nullable<Timestamp>,
        paid_by -> Nullable<Text>,
    }
}

diesel::table! {
    honorarium_thresholds (id) {
        id -> Text,
        organization_id -> Text,
        local_association_id -> Text,
        min_count -> Integer,
        amount_ore -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(regions -> organizations (organization_id));
diesel::joinable!(local_associations -> organizations (organization_id));
diesel::joinable!(local_associations -> regions (region_id));
diesel::joinable!(user_organization_roles -> roles (role_id));
diesel::joinable!(user_organization_roles -> local_associations (local_association_id));
diesel::joinable!(user_organization_roles -> organizations (organization_id));
diesel::joinable!(settings -> users (user_id));
diesel::joinable!(organization_labels -> organizations (organization_id));
diesel::joinable!(auth_tokens -> users (user_id));
diesel::joinable!(invitations -> organizations (organization_id));
diesel::joinable!(invitations -> local_associations (local_association_id));
diesel::joinable!(audit_log -> users (actor_user_id));
diesel::joinable!(audit_chain -> audit_log (entry_id));
diesel::joinable!(audit_pending -> audit_log (entry_id));
diesel::joinable!(peer_mentors -> users (user_id));
diesel::joinable!(peer_mentor_status_log -> peer_mentors (peer_mentor_id));
diesel::joinable!(contacts -> local_associations (local_association_id));
diesel::joinable!(contact_mentors -> contacts (contact_id));
diesel::joinable!(caregivers -> contacts (contact_id));
diesel::joinable!(notes -> contacts (contact_id));
diesel::joinable!(notes -> users (author_id));
diesel::joinable!(activities -> activity_types (activity_type_id));
diesel::joinable!(activity_types -> organizations (organization_id));
diesel::joinable!(activities -> local_associations (local_association_id));
diesel::joinable!(activities -> contacts (contact_id));
diesel::joinable!(activities -> users (mentor_id));
diesel::joinable!(documents -> activities (activity_id));
diesel::joinable!(events -> local_associations (local_association_id));
diesel::joinable!(event_attendees -> events (event_id));
diesel::joinable!(event_attendees -> users (user_id));
diesel::joinable!(expenses -> expense_types (expense_type_id));
diesel::joinable!(expenses -> reimbursements (reimbursement_id));
diesel::joinable!(receipts -> expenses (expense_id));
diesel::joinable!(reimbursements -> local_associations (local_association_id));
diesel::joinable!(reimbursement_approvals -> reimbursements (reimbursement_id));

diesel::table! {
    encryption_keys (version) {
        version -> Integer,
        check_value -> Text,
        created_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    assignment_settings (organization_id) {
        organization_id -> Text,
        enabled -> Bool,
        max_open_per_mentor -> Integer,
        retention_days -> Integer,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    assignments (id) {
        id -> Text,
        organization_id -> Text,
        local_association_id -> Text,
        contact_id -> Nullable<Text>,
        mentor_id -> Text,
        dispatched_by -> Text,
        status -> Text,
        due_on -> Date,
        key_version -> Nullable<Integer>,
        wrapped_key -> Nullable<Text>,
        details -> Nullable<Text>,
        dispatched_at -> Timestamp,
        status_changed_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        details_erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    assignment_status_log (id) {
        id -> Text,
        assignment_id -> Text,
        from_status -> Nullable<Text>,
        status -> Text,
        reason -> Nullable<Text>,
        changed_by -> Nullable<Text>,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    job_runs (name) {
        name -> Text,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_started_at -> Nullable<Timestamp>,
        last_finished_at -> Nullable<Timestamp>,
        last_ok -> Nullable<Bool>,
        last_message -> Nullable<Text>,
    }
}

diesel::joinable!(assignment_status_log -> assignments (assignment_id));
diesel::joinable!(assignments -> local_associations (local_association_id));

diesel::table! {
    notifications (id) {
        id -> Text,
        user_id -> Text,
        organization_id -> Nullable<Text>,
        context_role -> Nullable<Text>,
        scenario -> Text,
        subject_kind -> Text,
        subject_id -> Text,
        link -> Text,
        params -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notification_settings (user_id, scenario) {
        user_id -> Text,
        scenario -> Text,
        in_app -> Bool,
        email -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reminders (id) {
        id -> Text,
        user_id -> Text,
        organization_id -> Text,
        scenario -> Text,
        subject_kind -> Text,
        subject_id -> Text,
        due_on -> Date,
        notification_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Text,
        organization_id -> Nullable<Text>,
        user_id -> Nullable<Text>,
        kind -> Text,
        to_address -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(notifications -> organizations (organization_id));
diesel::joinable!(reminders -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    regions,
    local_associations,
    roles,
    users,
    user_organization_roles,
    settings,
    organization_labels,
    sessions,
    auth_tokens,
    invitations,
    rate_limits,
    audit_log,
    audit_chain,
    audit_pending,
    peer_mentors,
    peer_mentor_status_log,
    contacts,
    contact_mentors,
    caregivers,
    notes,
    activity_types,
    events,
    event_attendees,
    activities,
    documents,
    encryption_keys,
    assignment_settings,
    assignments,
    assignment_status_log,
    job_runs,
    expense_types,
    expense_type_exclusions,
    mileage_rates,
    expense_settings,
    reimbursements,
    expenses,
    receipts,
    reimbursement_approvals,
    reimbursement_exports,
    honorarium_thresholds,
    notifications,
    notification_settings,
    reminders,
    mail_outbox,
    engagement_settings,
    badges,
    user_badges,
    recruitment_referrals,
    toolbox_cards,
    toolbox_favourites,
    external_resources,
    import_batches,
    courses,
    course_associations,
    course_days,
    course_enrollments,
    course_attendance,
    mentor_programs,
    mentor_program_sessions,
    workshop_participants,
    workshop_attendance,
    certifications,
    approval_requirements,
    requirement_records,
    bufdir_reports,
    annual_summaries,
);

diesel::table! {
    engagement_settings (organization_id) {
        organization_id -> Text,
        membership_url -> Nullable<Text>,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    badges (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        description -> Text,
        icon -> Text,
        image_key -> Nullable<Text>,
        image_type -> Nullable<Text>,
        trigger_kind -> Text,
        threshold -> Integer,
        is_active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    user_badges (id) {
        id -> Text,
        badge_id -> Text,
        user_id -> Text,
        organization_id -> Text,
        awarded_at -> Timestamp,
        reason -> Text,
    }
}

diesel::table! {
    recruitment_referrals (id) {
        id -> Text,
        organization_id -> Text,
        user_id -> Text,
        token -> Text,
        clicks -> BigInt,
        created_at -> Timestamp,
        last_click_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    toolbox_cards (id) {
        id -> Text,
        organization_id -> Text,
        title -> Text,
        title_key -> Text,
        body -> Text,
        category -> Text,
        position -> Integer,
        image_key -> Nullable<Text>,
        image_type -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    toolbox_favourites (user_id, card_id) {
        user_id -> Text,
        card_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    external_resources (id) {
        id -> Text,
        organization_id -> Text,
        title -> Text,
        url -> Text,
        description -> Text,
        category -> Text,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    import_batches (id) {
        id -> Text,
        organization_id -> Text,
        kind -> Text,
        file_name -> Text,
        storage_key -> Text,
        status -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        imported -> Integer,
        rejected -> Integer,
        result -> Nullable<Text>,
    }
}

diesel::joinable!(user_badges -> badges (badge_id));
diesel::joinable!(toolbox_favourites -> toolbox_cards (card_id));

diesel::table! {
    courses (id) {
        id -> Text,
        organization_id -> Text,
        local_association_id -> Nullable<Text>,
        title -> Text,
        description -> Text,
        place -> Nullable<Text>,
        online_url -> Nullable<Text>,
        capacity -> Integer,
        seats_taken -> Integer,
        enrollment_deadline -> Timestamp,
        starts_at -> Timestamp,
        certification_name -> Nullable<Text>,
        validity_months -> Nullable<Integer>,
        bufdir_training -> Bool,
        status -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        cancel_reason -> Nullable<Text>,
    }
}

diesel::table! {
    course_associations (course_id, local_association_id) {
        course_id -> Text,
        local_association_id -> Text,
    }
}

diesel::table! {
    course_days (id) {
        id -> Text,
        course_id -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
    }
}

diesel::table! {
    course_enrollments (id) {
        id -> Text,
        course_id -> Text,
        user_id -> Text,
        status -> Text,
        waitlisted_at -> Nullable<Timestamp>,
        enrolled_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    course_attendance (course_day_id, user_id) {
        course_day_id -> Text,
        user_id -> Text,
        attended -> Bool,
        marked_by -> Nullable<Text>,
        marked_at -> Timestamp,
    }
}

diesel::table! {
    certifications (id) {
        id -> Text,
        organization_id -> Text,
        user_id -> Text,
        course_id -> Nullable<Text>,
        name -> Text,
        issued_on -> Date,
        expires_on -> Nullable<Date>,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
        verify_token -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mentor_programs (id) {
        id -> Text,
        organization_id -> Text,
        local_association_id -> Nullable<Text>,
        kind -> Text,
        title -> Text,
        description -> Text,
        place -> Nullable<Text>,
        online_url -> Nullable<Text>,
        status -> Text,
        starts_at -> Timestamp,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    mentor_program_sessions (id) {
        id -> Text,
        program_id -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
    }
}

diesel::table! {
    workshop_participants (id) {
        id -> Text,
        program_id -> Text,
        user_id -> Nullable<Text>,
        contact_id -> Nullable<Text>,
        added_by -> Nullable<Text>,
        added_at -> Timestamp,
    }
}

diesel::table! {
    workshop_attendance (session_id, participant_id) {
        session_id -> Text,
        participant_id -> Text,
        attended -> Bool,
        marked_by -> Nullable<Text>,
        marked_at -> Timestamp,
    }
}

diesel::joinable!(mentor_program_sessions -> mentor_programs (program_id));
diesel::joinable!(workshop_participants -> mentor_programs (program_id));
diesel::joinable!(workshop_attendance -> mentor_program_sessions (session_id));
diesel::joinable!(workshop_attendance -> workshop_participants (participant_id));
diesel::joinable!(mentor_programs -> local_associations (local_association_id));

diesel::joinable!(course_days -> courses (course_id));
diesel::joinable!(course_attendance -> course_days (course_day_id));
diesel::joinable!(course_enrollments -> courses (course_id));
diesel::joinable!(course_enrollments -> users (user_id));
diesel::joinable!(certifications -> users (user_id));
diesel::joinable!(courses -> local_associations (local_association_id));
diesel::joinable!(course_associations -> courses (course_id));
diesel::joinable!(course_associations -> local_associations (local_association_id));

diesel::table! {
    approval_requirements (id) {
        id -> Text,
        organization_id -> Text,
        kind -> Text,
        name -> Text,
        certification_name -> Nullable<Text>,
        validity_months -> Nullable<Integer>,
        is_active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    requirement_records (id) {
        id -> Text,
        organization_id -> Text,
        requirement_id -> Text,
        user_id -> Text,
        fulfilled_on -> Date,
        recorded_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(requirement_records -> approval_requirements (requirement_id));

diesel::table! {
    bufdir_reports (id) {
        id -> Text,
        organization_id -> Text,
        year -> Integer,
        version -> Integer,
        status -> Text,
        snapshot -> Nullable<Text>,
        previous_id -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        finalized_by -> Nullable<Text>,
        finalized_at -> Nullable<Timestamp>,
        submitted_by -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    annual_summaries (id) {
        id -> Text,
        organization_id -> Text,
        user_id -> Text,
        year -> Integer,
        activities -> Integer,
        minutes -> Integer,
        contacts -> Integer,
        events -> Integer,
        courses -> Integer,
        badges -> Integer,
        busiest_month -> Nullable<Integer>,
        busiest_month_activities -> Integer,
        previous_activities -> Integer,
        previous_minutes -> Integer,
        previous_contacts -> Integer,
        computed_at -> Timestamp,
    }
}

diesel::table! {
    report_runs (id) {
        id -> Text,
        organization_id -> Text,
        kind -> Text,
        year -> Integer,
        scope_key -> Text,
        status -> Text,
        ticket -> Nullable<Text>,
        progress -> Integer,
        step -> Text,
        result -> Nullable<Text>,
        runs -> Integer,
        started_by -> Nullable<Text>,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        locked_until -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}
