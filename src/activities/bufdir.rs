//! Bufdir's counting rules for likeperson activity ("Tilskudd til funksjonshemmedes
//! organisasjoner"), applied when an activity is saved, with the reason shown to people.
//!
//! What counts: outreach one-to-one conversations in person, sought out by the mentor; conversation
//! and activity groups of at least 3 participants and at least 45 minutes, led by a mentor;
//! likeperson training, a course day of at least 2 × 45 minutes. Phone calls and purely social
//! gatherings do not count. Each activity type maps to one category or to none. Outreach is a
//! conversation with someone: without its contact it does not count.

/// Minimum participants and minutes of a group, and minutes of a training day.
pub const GROUP_MIN_PARTICIPANTS: i32 = 3;
pub const GROUP_MIN_MINUTES: i32 = 45;
pub const TRAINING_MIN_MINUTES: i32 = 90;

/// The outcome: whether it counts, and a label key that says why (or why not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub counts: bool,
    pub reason: &'static str,
}

const fn yes(reason: &'static str) -> Outcome {
    Outcome {
        counts: true,
        reason,
    }
}
const fn no(reason: &'static str) -> Outcome {
    Outcome {
        counts: false,
        reason,
    }
}

/// Evaluates one activity. `kind` is the activity type's kind (one_to_one, phone, group,
/// training, social, other) and `category` its Bufdir category (outreach, group, training);
/// `has_contact` whether the activity names the person it was with.
pub fn evaluate(
    kind: &str,
    category: Option<&str>,
    status: &str,
    minutes: Option<i32>,
    participants: Option<i32>,
    has_contact: bool,
) -> Outcome {
    if status == "cancelled" {
        return no("bufdir.cancelled");
    }
    if status == "draft" {
        return no("bufdir.draft");
    }
    match (category, kind) {
        (_, "phone") => no("bufdir.phone_call"),
        (_, "social") => no("bufdir.social"),
        (None, _) => no("bufdir.not_counted_type"),
        (Some("outreach"), "one_to_one") if !has_contact => no("bufdir.outreach_no_contact"),
        (Some("outreach"), "one_to_one") => yes("bufdir.counts_outreach"),
        (Some("outreach"), _) => no("bufdir.outreach_not_in_person"),
        (Some("group"), _) => {
            if participants.unwrap_or(0) < GROUP_MIN_PARTICIPANTS {
                no("bufdir.group_too_small")
            } else if minutes.unwrap_or(0) < GROUP_MIN_MINUTES {
                no("bufdir.group_too_short")
            } else {
                yes("bufdir.counts_group")
            }
        }
        (Some("training"), _) => {
            if minutes.unwrap_or(0) < TRAINING_MIN_MINUTES {
                no("bufdir.training_too_short")
            } else {
                yes("bufdir.counts_training")
            }
        }
        (Some(_), _) => no("bufdir.not_counted_type"),
    }
}

/// Evaluates one day of a course marked as Bufdir training (`courses.bufdir_training`): it is
/// a training day when it lasts at least 2 × 45 minutes and someone attended it (the attendance
/// marked present).
pub fn evaluate_course_day(minutes: i64, attended: i64) -> Outcome {
    if minutes < i64::from(TRAINING_MIN_MINUTES) {
        no("bufdir.training_too_short")
    } else if attended < 1 {
        no("bufdir.course_day_no_attendance")
    } else {
        yes("bufdir.counts_course_day")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_of_the_grant() {
        let r = "registered";
        assert_eq!(
            evaluate("one_to_one", Some("outreach"), r, Some(30), None, true),
            yes("bufdir.counts_outreach")
        );
        assert_eq!(
            evaluate("phone", Some("outreach"), r, Some(60), None, true),
            no("bufdir.phone_call")
        );
        assert_eq!(
            evaluate("social", None, r, Some(120), Some(10), true),
            no("bufdir.social")
        );
        assert_eq!(
            evaluate("group", Some("group"), r, Some(45), Some(3), true),
            yes("bufdir.counts_group")
        );
        assert_eq!(
            evaluate("group", Some("group"), r, Some(60), Some(2), true),
            no("bufdir.group_too_small")
        );
        assert_eq!(
            evaluate("group", Some("group"), r, Some(44), Some(8), true),
            no("bufdir.group_too_short")
        );
        assert_eq!(
            evaluate("training", Some("training"), r, Some(90), None, true),
            yes("bufdir.counts_training")
        );
        assert_eq!(
            evaluate("training", Some("training"), r, Some(89), None, true),
            no("bufdir.training_too_short")
        );
        assert_eq!(
            evaluate("one_to_one", None, r, Some(60), None, true),
            no("bufdir.not_counted_type")
        );
        assert_eq!(
            evaluate(
                "one_to_one",
                Some("outreach"),
                "cancelled",
                Some(60),
                None,
                true
            ),
            no("bufdir.cancelled")
        );
        assert_eq!(
            evaluate("one_to_one", Some("outreach"), r, Some(60), None, false),
            no("bufdir.outreach_no_contact")
        );
        assert_eq!(
            evaluate("group", Some("group"), r, Some(60), Some(5), false),
            yes("bufdir.counts_group"),
            "a group needs no single contact"
        );
    }
}
