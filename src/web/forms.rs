//! Form validation helpers. Errors carry label keys, so messages are translated (and can be
//! overridden) like every other term; the form is re-rendered with a 422 and the user's values.

#[derive(Clone, Debug, Default)]
pub struct FieldErrors(Vec<(&'static str, &'static str)>);

impl FieldErrors {
    pub fn new() -> FieldErrors {
        FieldErrors::default()
    }
    pub fn add(&mut self, field: &'static str, label_key: &'static str) {
        if self.get(field).is_none() {
            self.0.push((field, label_key));
        }
    }
    /// The label key of the first error on `field`.
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, k)| *k)
    }
    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn all(&self) -> &[(&'static str, &'static str)] {
        &self.0
    }
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

/// Trims and turns an empty string into `None`.
pub fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

pub fn is_email(s: &str) -> bool {
    s.len() <= 254
        && email_address::EmailAddress::parse_with_options(
            s,
            email_address::Options::default().without_display_text(),
        )
        .is_ok()
        && s.contains('.')
}

/// Norwegian and international phone numbers: digits, spaces, one leading +, 8 to 15 digits.
pub fn is_phone(s: &str) -> bool {
    let digits = s.chars().filter(|c| c.is_ascii_digit()).count();
    let allowed = s
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == ' ' || c == '-' || (c == '+' && i == 0));
    allowed && (8..=15).contains(&digits)
}

/// Norwegian organization number: nine digits with a modulus 11 check digit.
pub fn is_org_number(s: &str) -> bool {
    let d: Vec<u32> = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_digit(10).unwrap_or(99))
        .collect();
    if d.len() != 9 || d.iter().any(|&x| x > 9) {
        return false;
    }
    let weights = [3, 2, 7, 6, 5, 4, 3, 2];
    let sum: u32 = d.iter().zip(weights.iter()).map(|(a, b)| a * b).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == d[8]
}

/// Trimmed, with every run of white space folded into one space ("  Ola   Nordmann " → "Ola Nordmann").
pub fn fold_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lower-cased, whitespace-folded form used for case-insensitive uniqueness and search.
pub fn search_key(s: &str) -> String {
    fold_whitespace(s).to_lowercase()
}

/// Escapes `%`, `_` and `\` for a LIKE pattern (used with `ESCAPE '\'`).
pub fn like_contains(q: &str) -> String {
    let mut out = String::from("%");
    for c in search_key(q).chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn org_numbers_use_mod11() {
        assert!(is_org_number("974 760 673"));
        assert!(!is_org_number("974760672"));
        assert!(!is_org_number("12345"));
    }
    #[test]
    fn emails_and_phones() {
        assert!(is_email("ola@nhf.example"));
        assert!(!is_email("ola@"));
        assert!(!is_email("not an email"));
        assert!(is_phone("+47 912 34 567"));
        assert!(!is_phone("12ab"));
    }
}
