//! The command line, run as a user would: migrate, seed twice, create-admin, and `serve`
//! answering /healthz on an empty database.

use std::process::Command;

use crate::common::Fresh;

fn likeperson(db: &str, data: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_likeperson"))
        .args(args)
        .env("DATABASE_URL", db)
        .env("LIKEPERSON_DATA_DIR", data)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

#[test]
fn seeding_twice_changes_nothing_the_second_time() {
    let (db, _fresh) = Fresh::empty_sqlite();
    let data = tempdir();
    let first = likeperson(
        &db,
        &data,
        &["seed", "--demo", "--demo-password", "a-demo-passphrase"],
    );
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let out = String::from_utf8_lossy(&first.stdout);
    assert!(
        out.contains("4 organizations, 80 local associations, 13 accounts"),
        "{out}"
    );
    assert!(
        out.contains("a-demo-passphrase"),
        "the password is printed at seeding"
    );
    let second = likeperson(&db, &data, &["seed", "--demo"]);
    assert!(second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("already holds data: nothing was changed")
    );
}

#[test]
fn create_admin_refuses_a_weak_password_and_makes_a_global_admin() {
    let (db, _fresh) = Fresh::empty_sqlite();
    let data = tempdir();
    let weak = likeperson(
        &db,
        &data,
        &[
            "create-admin",
            "--email",
            "it@example.no",
            "--password",
            "password",
        ],
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("too common"));
    let ok = likeperson(
        &db,
        &data,
        &[
            "create-admin",
            "--email",
            "it@example.no",
            "--password",
            "long-and-quiet-harbour",
        ],
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("it@example.no is a global administrator"));
}

#[test]
fn serve_migrates_seeds_and_answers_health_on_a_fresh_database() {
    use std::io::{Read, Write};
    let (db, _fresh) = Fresh::empty_sqlite();
    let data = tempdir();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_likeperson"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &db)
        .env("LIKEPERSON_DATA_DIR", &data)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut answer = String::new();
    for _ in 0..100 {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .unwrap();
            s.read_to_string(&mut answer).unwrap();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().ok();
    child.wait().ok();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("ok"));
    assert!(
        data.join("secret.key").exists(),
        "a signing key is created at first start"
    );
}

fn tempdir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("likeperson-cmd-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
