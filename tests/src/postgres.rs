//! A real PostgreSQL server for the pooling tests and the push benchmark: Debian's own
//! (`postgresql`), a cluster made with `initdb` in a temporary directory, TLS on with a
//! certificate for `localhost` signed by an authority made here, a password for the user
//! `baom`, started and stopped with `pg_ctl` (no system service). As root (CI), the server runs
//! as the `postgres` user, as PostgreSQL requires.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Postgres {
    pub dir: PathBuf,
    pub port: u16,
    bin: PathBuf,
    /// The authority the server's certificate chains to (PEM), for the clients.
    pub ca: PathBuf,
    /// A file with the `baom` user's password.
    pub password_file: PathBuf,
    pub password: String,
}

/// The newest installed PostgreSQL's programs (`/usr/lib/postgresql/<version>/bin`).
fn bin_dir() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed (.ci/setup installs Debian's postgresql)")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("an initdb under /usr/lib/postgresql")
        .1
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Runs a PostgreSQL program (as `postgres` when we are root).
fn pg(program: &Path, args: &[&str]) -> std::process::Output {
    let mut c = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    c.args(args).output().expect("run a PostgreSQL program")
}

fn give_to_postgres(path: &Path) {
    if is_root() {
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(path)
            .status()
            .expect("chown");
        assert!(ok.success());
    }
}

impl Postgres {
    /// Makes a cluster in `dir` (created; must not exist) on a free port, and starts it.
    pub fn start(dir: &Path) -> Postgres {
        let bin = bin_dir();
        std::fs::create_dir_all(dir).expect("dir");
        // The parents must let the postgres user through.
        let mut p = dir.to_path_buf();
        while let Some(parent) = p.parent() {
            if parent == Path::new("/") {
                break;
            }
            use std::os::unix::fs::PermissionsExt;
            if let Ok(m) = std::fs::metadata(parent) {
                let mode = m.permissions().mode();
                if mode & 0o001 == 0 && is_root() {
                    let _ = std::fs::set_permissions(
                        parent,
                        std::fs::Permissions::from_mode(mode | 0o011),
                    );
                }
            }
            p = parent.to_path_buf();
        }
        let data = dir.join("cluster");
        let password = "mot-de-passe-de-la-province".to_owned();
        let pwfile = dir.join("password");
        std::fs::write(&pwfile, format!("{password}\n")).expect("password");
        give_to_postgres(dir);
        let out = pg(
            &bin.join("initdb"),
            &[
                "-D",
                data.to_str().expect("utf-8"),
                "-U",
                "baom",
                "--auth=scram-sha-256",
                "--pwfile",
                pwfile.to_str().expect("utf-8"),
                "--no-sync",
            ],
        );
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // TLS: an authority, and a certificate for localhost it signs.
        let (ca_pem, cert, key) = crate::localhost_under_new_authority("Province de test");
        std::fs::write(data.join("server.crt"), cert.pem()).expect("crt");
        std::fs::write(data.join("server.key"), key.serialize_pem()).expect("key");
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                data.join("server.key"),
                std::fs::Permissions::from_mode(0o600),
            )
            .expect("mode");
        }
        let ca = dir.join("province-ca.pem");
        std::fs::write(&ca, ca_pem).expect("ca");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        let mut conf = std::fs::read_to_string(data.join("postgresql.conf")).expect("conf");
        conf.push_str(&format!(
            "\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nfsync = off\n",
            dir.display()
        ));
        std::fs::write(data.join("postgresql.conf"), conf).expect("conf");
        // Over the network: TLS only, with a password.
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all scram-sha-256\nhostssl all all 127.0.0.1/32 scram-sha-256\n",
        )
        .expect("hba");
        give_to_postgres(dir);
        let pg = Postgres {
            dir: dir.to_owned(),
            port,
            bin,
            ca,
            password_file: pwfile,
            password,
        };
        pg.up();
        pg
    }

    fn data(&self) -> String {
        self.dir.join("cluster").to_str().expect("utf-8").to_owned()
    }

    /// Starts the server (again).
    pub fn up(&self) {
        let log = self.dir.join("server.log");
        let out = pg(
            &self.bin.join("pg_ctl"),
            &[
                "-D",
                &self.data(),
                "-l",
                log.to_str().expect("utf-8"),
                "-w",
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start: {} {}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// Stops the server (fast: open connections are cut).
    pub fn down(&self) {
        let out = pg(
            &self.bin.join("pg_ctl"),
            &["-D", &self.data(), "-m", "fast", "-w", "stop"],
        );
        assert!(
            out.status.success(),
            "pg_ctl stop: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The connection string a box or the province's tool uses (over TLS, to `localhost`).
    pub fn server(&self) -> String {
        format!(
            "host=localhost port={} dbname=postgres user=baom",
            self.port
        )
    }

    /// One query through `psql` on the server's local socket; its rows, `|`-separated.
    pub fn query(&self, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(["-h", self.dir.to_str().expect("utf-8"), "-p"])
            .arg(self.port.to_string())
            .args(["-U", "baom", "-d", "postgres", "-tAc", sql])
            .env("PGPASSWORD", &self.password)
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = pg(
            &self.bin.join("pg_ctl"),
            &["-D", &self.data(), "-m", "immediate", "stop"],
        );
    }
}
