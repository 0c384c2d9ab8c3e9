//! Every term a template or handler asks for is in the label catalogue, in both languages.

use std::collections::BTreeSet;

fn files(dir: &str, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(p.to_str().unwrap(), ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

#[test]
fn every_label_key_used_exists_in_the_catalogue() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut paths = Vec::new();
    files(&format!("{root}/templates"), "html", &mut paths);
    files(&format!("{root}/src"), "rs", &mut paths);
    let re = regex::Regex::new(r#"\bt\("([a-z_]+\.[a-z_.]+)"\)|"((?:err|text|field|page|nav|term|action|value|bufdir|activity|people)\.[a-z_]+)""#).unwrap();
    let mut missing = BTreeSet::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        for c in re.captures_iter(&text) {
            let key = c.get(1).or(c.get(2)).unwrap().as_str();
            if !likeperson::labels::is_known(key) {
                missing.insert(format!(
                    "{key} ({})",
                    p.strip_prefix(root).unwrap().display()
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "label keys not in the catalogue:\n{}",
        missing.into_iter().collect::<Vec<_>>().join("\n")
    );
    let keys: Vec<&str> = likeperson::labels::catalogue().map(|e| e.0).collect();
    let unique: BTreeSet<&str> = keys.iter().copied().collect();
    assert_eq!(keys.len(), unique.len(), "no key is defined twice");
    for (k, nb, en) in likeperson::labels::catalogue() {
        assert!(!nb.is_empty() && !en.is_empty(), "{k} has both languages");
    }
}
