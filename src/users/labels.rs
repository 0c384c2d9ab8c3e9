//! Terms of the users domain and the account pages (invitations, password change), Bokmål and English.

use crate::labels::Entry;

pub static LABELS: &[Entry] = &[
    ("page.invitations", "Invitasjoner", "Invitations"),
    (
        "text.invitations_waiting",
        "Du har invitasjoner som venter på svar.",
        "You have invitations waiting for your answer.",
    ),
    ("action.see_invitations", "Se invitasjonene", "See the invitations"),
    ("text.no_invitations", "Du har ingen invitasjoner som venter på svar.", "You have no invitations waiting for an answer."),
    (
        "text.invitation_intro",
        "En administrator har invitert deg til en rolle. Du får rollen først når du godtar.",
        "An administrator has invited you to a role. You get the role only when you accept.",
    ),
    ("action.accept", "Godta", "Accept"),
    ("action.decline", "Avslå", "Decline"),
    ("field.sent", "Sendt", "Sent"),
    ("text.invitation_accepted", "Invitasjonen er godtatt, og du har fått rollen.", "The invitation is accepted and you have the role."),
    ("text.invitation_declined", "Invitasjonen er avslått.", "The invitation is declined."),
    (
        "text.invitations_pending",
        "Invitasjoner som venter på svar",
        "Invitations waiting for an answer",
    ),
    (
        "text.invitation_mail_body",
        "Du er invitert til en rolle i organisasjonen over i Likeperson. Logg inn og godta eller avslå invitasjonen her (den gjelder i sju dager):",
        "You are invited to a role in the organization above in Likeperson. Sign in and accept or decline the invitation here (it is valid for seven days):",
    ),
    ("page.password", "Bytt passord", "Change password"),
    ("field.current_password", "Nåværende passord", "Current password"),
    (
        "text.password_change_intro",
        "Når du bytter passord, blir du logget ut på alle andre enheter.",
        "When you change your password, you are signed out on every other device.",
    ),
    ("err.current_password", "Passordet er feil.", "The password is wrong."),
    ("text.password_changed", "Passordet er byttet. Du er logget ut på alle andre enheter.", "Your password is changed. You are signed out on every other device."),
    ("text.password_changed_mail_subject", "Passordet ditt i Likeperson er byttet", "Your Likeperson password was changed"),
    (
        "text.password_changed_mail_body",
        "Passordet ditt i Likeperson er nettopp byttet, og du er logget ut på alle andre enheter. Var det ikke deg, velg nytt passord med en gang her:",
        "Your Likeperson password was just changed, and you are signed out on every other device. If it was not you, choose a new password at once here:",
    ),
];
