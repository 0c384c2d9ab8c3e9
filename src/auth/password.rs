//! Passwords: argon2id with OWASP's parameters (19 MiB, 2 iterations, 1 lane) in PHC strings,
//! re-hashed at sign-in when the parameters change; new passwords of 8 to 128 characters, the
//! common and easily guessed ones refused (zxcvbn's dictionaries of common passwords).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};

fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters")
}

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing cannot fail with valid parameters")
        .to_string()
}

/// Whether `password` matches, and whether the stored hash should be upgraded.
pub fn verify(stored: &str, password: &str) -> (bool, bool) {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return (false, false);
    };
    let ok = hasher()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    let current = parsed.algorithm.as_str() == "argon2id"
        && Params::try_from(&parsed)
            .map(|p| {
                let want = params();
                (p.m_cost(), p.t_cost(), p.p_cost())
                    == (want.m_cost(), want.t_cost(), want.p_cost())
            })
            .unwrap_or(false);
    (ok, ok && !current)
}

/// Spends the same time as a real check, so an unknown e-mail cannot be told from a wrong password.
pub fn verify_dummy(password: &str) {
    use std::sync::OnceLock;
    static DUMMY: OnceLock<String> = OnceLock::new();
    let h = DUMMY.get_or_init(|| hash("dummy-password-for-timing"));
    let _ = verify(h, password);
}

/// Checks a new password; the error is a label key.
pub fn validate_new(password: &str, user_inputs: &[&str]) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n < 8 {
        return Err("err.password_short");
    }
    if n > 128 {
        return Err("err.password_long");
    }
    let estimate = zxcvbn::zxcvbn(password, user_inputs);
    if (estimate.score() as u8) < 2 {
        return Err("err.password_common");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn hashes_verify_and_common_passwords_are_refused() {
        let h = hash("a long enough passphrase");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(verify(&h, "a long enough passphrase"), (true, false));
        assert!(!verify(&h, "wrong").0);
        assert_eq!(validate_new("password1", &[]), Err("err.password_common"));
        assert_eq!(validate_new("short", &[]), Err("err.password_short"));
        assert!(validate_new("likeperson-demo", &[]).is_ok());
    }
}
