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
    ("page.user_edit", "Rediger bruker", "Edit user"),
    ("field.pending_email", "Ny e-post (venter på bekreftelse)", "New e-mail (awaiting confirmation)"),
    (
        "text.email_change_intro",
        "En ny e-postadresse gjelder først når eieren har bekreftet den gjennom lenken vi sender dit.",
        "A new e-mail address takes effect only when its owner has confirmed it through the link we send there.",
    ),
    ("text.user_saved_email_pending", "Lagret. Den nye e-postadressen gjelder når den er bekreftet.", "Saved. The new e-mail address takes effect once it is confirmed."),
    ("text.email_confirm_mail_subject", "Bekreft ny e-postadresse i Likeperson", "Confirm your new e-mail address in Likeperson"),
    (
        "text.email_confirm_mail_body",
        "Denne adressen er oppgitt som ny e-postadresse for kontoen din i Likeperson. Bekreft den her (lenken gjelder i to dager):",
        "This address was given as the new e-mail address of your Likeperson account. Confirm it here (the link is valid for two days):",
    ),
    ("page.email_confirm", "Bekreft e-postadresse", "Confirm e-mail address"),
    ("text.email_confirm_intro", "Bekreft at dette er din nye e-postadresse for innlogging.", "Confirm that this is your new e-mail address for signing in."),
    ("action.confirm_email", "Bekreft e-postadressen", "Confirm the e-mail address"),
    ("text.email_confirmed", "E-postadressen er bekreftet. Bruk den når du logger inn.", "The e-mail address is confirmed. Use it when you sign in."),
    ("text.user_deactivated", "Brukeren er deaktivert og logget ut overalt. Historikken er beholdt.", "The user is deactivated and signed out everywhere. Their history is kept."),
    ("err.deactivate_self", "Du kan ikke deaktivere deg selv.", "You cannot deactivate yourself."),
    ("err.already_deactivated", "Brukeren er allerede deaktivert.", "The user is already deactivated."),
    (
        "err.last_admin",
        "Organisasjonen må ha minst én aktiv administrator. Gi rollen til en annen først.",
        "The organization must have at least one active administrator. Give the role to someone else first.",
    ),
    ("page.revoke_own_admin", "Fjerne din egen administratorrolle?", "Remove your own administrator role?"),
    (
        "text.revoke_own_admin",
        "Du mister tilgangen til å administrere organisasjonen med en gang. Bare en annen administrator kan gi deg rollen tilbake.",
        "You lose access to administering the organization at once. Only another administrator can give the role back.",
    ),
    ("field.confirm_revoke_own_admin", "Ja, fjern min administratorrolle", "Yes, remove my administrator role"),
];
