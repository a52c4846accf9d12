use std::sync::Arc;
use upwiz::config::*;
use upwiz::db::ConnectSpec;
use upwiz::engine::*;
fn main() {
    let dir = std::env::temp_dir().join("scratch-upwiz");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let pkg = upwiz::package::load(&demo_package_dir()).unwrap();
    let spec = ConnectSpec{rdbms: upwiz::rdbms::Rdbms::Sqlite, target: dir.join("demo.db").display().to_string(), user: None, password: None};
    let dirs = upwiz::paths::Dirs{state_dir: dir.join("state"), log_dir: dir.join("log"), backup_dir: dir.join("bk")};
    std::fs::create_dir_all(&dirs.log_dir).unwrap();
    let r = install(&pkg, &spec, Some("9.0"), &dirs, Box::new(|_e| {}));
    println!("install {:?}", r.outcome);
    let mut db = upwiz::db::open(&spec, upwiz::db::OpenMode::Existing).unwrap();
    let p = prepare(db.as_mut(), &pkg, None).unwrap();
    println!("route {}", p.route.describe());
    for s in p.step_infos() { println!("  {} {}", s.leg, s.title); }
    drop(db);
    let req = RunRequest{package: Arc::new(pkg), spec, target: None, dirs, accept_violations: false, checklist_confirmed: true};
    let t = std::time::Instant::now();
    let h = spawn(req, Box::new(|e| match e { Event::Log{message,..} => println!("LOG {message}"), Event::Progress{..} => {}, e => println!("{:?}", e)}), CancelToken::new());
    let r = h.join().unwrap();
    println!("{:?} in {:?}", r.outcome, t.elapsed());
}
