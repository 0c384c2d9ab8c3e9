use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::documents;
use crate::web::forms::FieldErrors;

/// Most documents one activity can carry.
pub const MAX_PER_ACTIVITY: i64 = 10;

/// The metadata row of a stored file.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = documents)]
pub struct Document {
    pub id: String,
    pub organization_id: String,
    pub activity_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: String,
    pub created_at: NaiveDateTime,
}

/// A document as the activity page lists it.
#[derive(Clone, Debug)]
pub struct DocumentRow {
    pub d: Document,
    pub uploader_name: String,
}

impl DocumentRow {
    pub fn when(&self) -> String {
        crate::web::fmt::datetime(self.d.created_at)
    }
    /// "PDF", "JPEG" or "PNG".
    pub fn type_name(&self) -> &'static str {
        match self.d.content_type.as_str() {
            "application/pdf" => "PDF",
            "image/jpeg" => "JPEG",
            "image/png" => "PNG",
            _ => "",
        }
    }
    /// The size in kB or MB, with a decimal comma in Norwegian.
    pub fn size(&self, lang: &str) -> String {
        size_text(self.d.size_bytes, lang)
    }
}

pub fn size_text(bytes: i64, lang: &str) -> String {
    let text = if bytes < 1024 * 1024 {
        format!("{} kB", (bytes + 1023) / 1024)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    };
    if lang == "nb" {
        text.replace('.', ",")
    } else {
        text
    }
}

/// The documents part of the activity page.
#[derive(Clone, Debug, Default)]
pub struct Section {
    pub activity_id: String,
    pub rows: Vec<DocumentRow>,
    /// Whether the actor may upload and delete (the same people who may edit the activity).
    pub can_change: bool,
    pub max_bytes: usize,
    /// Errors of a refused upload.
    pub errors: FieldErrors,
}

impl Section {
    pub fn full(&self) -> bool {
        self.rows.len() as i64 >= MAX_PER_ACTIVITY
    }
    pub fn max_mb(&self) -> usize {
        self.max_bytes / (1024 * 1024)
    }
    pub fn max_count(&self) -> i64 {
        MAX_PER_ACTIVITY
    }
    /// A message with the limits filled in (`{mb}`, `{count}`).
    pub fn message(&self, text: &str) -> String {
        text.replace("{mb}", &self.max_mb().to_string())
            .replace("{count}", &MAX_PER_ACTIVITY.to_string())
    }
}
