//! Terms of the documents domain, Bokmål and English. `{mb}` and `{count}` are filled in with
//! the limits in force.

use crate::labels::Entry;

pub static LABELS: &[Entry] = &[
    ("document.heading", "Dokumenter", "Documents"),
    (
        "document.none",
        "Ingen dokumenter er lagt ved.",
        "No documents are attached.",
    ),
    ("document.col_name", "Fil", "File"),
    ("document.col_type", "Type", "Type"),
    ("document.col_size", "Størrelse", "Size"),
    ("document.col_by", "Lagt ved av", "Added by"),
    ("document.col_when", "Tidspunkt", "When"),
    ("document.col_actions", "Handlinger", "Actions"),
    ("document.field_file", "Legg ved en fil", "Attach a file"),
    (
        "document.hint",
        "PDF, JPEG eller PNG, høyst {mb} MB. Bilder blir forminsket, og posisjon og andre opplysninger fra kameraet fjernes. Høyst {count} dokumenter per {activity}.",
        "PDF, JPEG or PNG, at most {mb} MB. Pictures are made smaller, and location and other camera details are removed. At most {count} documents per {activity}.",
    ),
    ("document.action_upload", "Last opp", "Upload"),
    ("document.action_delete", "Slett", "Delete"),
    (
        "document.confirm_delete",
        "Vil du slette dokumentet? Det kan ikke angres.",
        "Delete the document? This cannot be undone.",
    ),
    ("document.action_confirm_delete", "Ja, slett", "Yes, delete"),
    (
        "document.uploaded",
        "Dokumentet er lagt ved.",
        "The document is attached.",
    ),
    (
        "document.deleted",
        "Dokumentet er slettet.",
        "The document is deleted.",
    ),
    (
        "document.full",
        "{Activity.def} har {count} dokumenter, som er det meste. Slett et for å legge ved et nytt.",
        "{Activity.def} has {count} documents, the most allowed. Delete one to attach another.",
    ),
    (
        "document.err_missing",
        "Velg en fil å laste opp.",
        "Choose a file to upload.",
    ),
    (
        "document.err_too_large",
        "Filen er for stor. Den kan være høyst {mb} MB.",
        "The file is too large. It can be at most {mb} MB.",
    ),
    (
        "document.err_type",
        "Filtypen kan ikke legges ved. Velg en PDF, JPEG eller PNG.",
        "This type of file cannot be attached. Choose a PDF, JPEG or PNG.",
    ),
    (
        "document.err_heic",
        "HEIC-bilder fra iPhone kan ikke legges ved. Velg bildet på nytt med «Bildebibliotek» i dette skjemaet, så gjør iPhone det om til JPEG, eller lagre det som JPEG først.",
        "HEIC pictures from an iPhone cannot be attached. Pick the picture again with “Photo Library” in this form, and the iPhone turns it into a JPEG, or save it as JPEG first.",
    ),
    (
        "document.err_image",
        "Bildet kunne ikke leses. Filen kan være skadet.",
        "The picture could not be read. The file may be damaged.",
    ),
    (
        "document.err_image_too_big",
        "Bildet har for mange piksler. Forminsk det og prøv igjen.",
        "The picture has too many pixels. Make it smaller and try again.",
    ),
    (
        "document.err_upload",
        "Filen kom ikke fram. Prøv igjen.",
        "The file did not arrive. Please try again.",
    ),
    (
        "document.err_too_many",
        "{Activity.def} har allerede {count} dokumenter, som er det meste. Slett et for å legge ved et nytt.",
        "{Activity.def} already has {count} documents, the most allowed. Delete one to attach another.",
    ),
];
