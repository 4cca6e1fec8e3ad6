//! Staff accounts and their sessions, in `accounts.db`.
//!
//! Kept out of `queue.db` (which holds no data about people) and out of `dossiers.db` (which
//! opens only after a login). Passwords are argon2id hashes; a new or reset account has a
//! one-time password that must be changed at first login. Ten wrong passwords in a row lock the
//! account for a quarter of an hour, whatever comes next. Sessions are random tokens of which
//! only a SHA-256 hash is stored, each with its own CSRF token.
//!
//! One writer: every write goes through the one connection behind a mutex.

mod keys;

pub use baom_domain::staff::Role;
pub use baom_keys::{StoredVault, Wrap, hash_password, new_one_time_password, verify_password};

use crate::store::{self, StoreError};
use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Consecutive wrong passwords after which an account is locked.
pub const LOCK_AFTER_FAILURES: i64 = 10;
/// How long a locked account stays locked.
pub const LOCK_FOR: SignedDuration = SignedDuration::from_mins(15);
/// A staff session lasts a working day at most.
pub const STAFF_SESSION: SignedDuration = SignedDuration::from_hours(12);
/// The lobby TV stays logged in (it has no keyboard); its account can only show the lobby.
pub const DISPLAY_SESSION: SignedDuration = SignedDuration::from_hours(24 * 400);
/// Shortest acceptable new password.
pub const MIN_PASSWORD_CHARS: usize = 10;

const MIGRATIONS: &[&str] = &[
    "CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        login TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'technician', 'display')),
        password_hash TEXT NOT NULL,
        must_change_password INTEGER NOT NULL DEFAULT 1,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        created_at TEXT NOT NULL,
        password_changed_at TEXT
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE login_events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        login TEXT NOT NULL,
        outcome TEXT NOT NULL
    );",
    // 2: the dossiers' key, wrapped once per holder (see `vault`), and the public half of the
    // key pair scans are sealed to (so the kiosk can seal a scan before anyone logs in).
    "CREATE TABLE vault (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        scan_public_key BLOB NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE key_wraps (
        holder TEXT PRIMARY KEY,              -- 'recovery' or 'account:<login>'
        salt BLOB NOT NULL,
        nonce BLOB NOT NULL,
        wrapped BLOB NOT NULL,
        created_at TEXT NOT NULL
    );",
];

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub must_change_password: bool,
}

/// A logged-in session, as a request sees it.
#[derive(Debug, Clone)]
pub struct Session {
    pub account: Account,
    pub csrf: String,
    pub token_hash: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("wrong login or password")]
    WrongCredentials,
    #[error(
        "this account is locked after too many wrong passwords; try again after {until} or ask a supervisor"
    )]
    Locked { until: Timestamp },
    #[error("the new password is too weak: {0}")]
    WeakPassword(String),
    #[error("the password could not be hashed: {0}")]
    Hashing(String),
    #[error("an account {0:?} already exists")]
    Exists(String),
}

impl From<baom_keys::KeyError> for AccountError {
    fn from(e: baom_keys::KeyError) -> Self {
        AccountError::Hashing(e.to_string())
    }
}

impl From<rusqlite::Error> for AccountError {
    fn from(e: rusqlite::Error) -> Self {
        AccountError::Store(StoreError::Sqlite(e))
    }
}

/// The accounts database. Cheap to clone.
#[derive(Clone)]
pub struct Accounts {
    conn: Arc<Mutex<Connection>>,
}

fn lock(conn: &Mutex<Connection>) -> Result<std::sync::MutexGuard<'_, Connection>, AccountError> {
    conn.lock()
        .map_err(|_| AccountError::Store(StoreError::Corrupt("accounts lock poisoned".into())))
}

/// The stored form of a session token.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn random_hex(bytes: usize) -> Result<String, AccountError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AccountError::Hashing(format!("no randomness: {e}")))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

impl Accounts {
    pub fn open(path: &Path) -> Result<Accounts, AccountError> {
        let mut conn = Connection::open(path).map_err(StoreError::from)?;
        store::configure(&conn)?;
        store::migrations::apply(&mut conn, MIGRATIONS, "accounts")?;
        Ok(Accounts {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Creates an account with a one-time password (to be changed at first login).
    pub fn create(
        &self,
        login: &str,
        display_name: &str,
        role: Role,
        one_time_password: &str,
    ) -> Result<Account, AccountError> {
        let hash = hash_password(one_time_password)?;
        self.create_with_hash(login, display_name, role, &hash)
    }

    /// Creates an account from an argon2 hash made elsewhere (a provisioning bundle).
    pub fn create_with_hash(
        &self,
        login: &str,
        display_name: &str,
        role: Role,
        hash: &str,
    ) -> Result<Account, AccountError> {
        let conn = lock(&self.conn)?;
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM accounts WHERE login = ?1)",
            [login],
            |r| r.get(0),
        )?;
        if exists {
            return Err(AccountError::Exists(login.to_owned()));
        }
        conn.execute(
            "INSERT INTO accounts (login, display_name, role, password_hash, must_change_password, created_at) VALUES (?1, ?2, ?3, ?4, 1, ?5)",
            params![login, display_name, role.as_str(), hash, Timestamp::now().to_string()],
        )?;
        Ok(Account {
            id: conn.last_insert_rowid(),
            login: login.to_owned(),
            display_name: display_name.to_owned(),
            role,
            must_change_password: true,
        })
    }

    /// Gives an account a new one-time password and unlocks it; its sessions end.
    pub fn reset_password(&self, login: &str, one_time_password: &str) -> Result<(), AccountError> {
        let hash = hash_password(one_time_password)?;
        let conn = lock(&self.conn)?;
        let n = conn.execute(
            "UPDATE accounts SET password_hash = ?2, must_change_password = 1, failed_logins = 0, locked_until = NULL WHERE login = ?1",
            params![login, hash],
        )?;
        if n == 0 {
            return Err(AccountError::WrongCredentials);
        }
        conn.execute(
            "DELETE FROM sessions WHERE account_id = (SELECT id FROM accounts WHERE login = ?1)",
            [login],
        )?;
        // The dossiers' key wrapped under the old password goes with it.
        conn.execute(
            "DELETE FROM key_wraps WHERE holder = ?1",
            [baom_keys::account_holder(login)],
        )?;
        Ok(())
    }

    /// Whether the account still has its one-time password (`None`: no such account).
    pub fn still_one_time(&self, login: &str) -> Result<Option<bool>, AccountError> {
        let conn = lock(&self.conn)?;
        Ok(conn
            .query_row(
                "SELECT must_change_password FROM accounts WHERE login = ?1",
                [login],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn list(&self) -> Result<Vec<Account>, AccountError> {
        let conn = lock(&self.conn)?;
        let mut stmt = conn.prepare("SELECT id, login, display_name, role, must_change_password FROM accounts ORDER BY login")?;
        let rows = stmt.query_map([], account_row)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r??);
        }
        Ok(out)
    }

    /// Checks a password. On success opens a session and returns its token (for the cookie).
    /// Every attempt is recorded; the tenth failure in a row locks the account.
    pub fn login(
        &self,
        login: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<(String, Session), AccountError> {
        // Fetch what to check without holding the lock during the (slow) argon2 verification.
        let found = {
            let conn = lock(&self.conn)?;
            conn.query_row(
                "SELECT id, login, display_name, role, must_change_password, password_hash, failed_logins, locked_until FROM accounts WHERE login = ?1",
                [login],
                |r| Ok((account_row(r)?, r.get::<_, String>(5)?, r.get::<_, i64>(6)?, r.get::<_, Option<String>>(7)?)),
            )
            .optional()?
        };
        let Some((account, hash, failures, locked_until)) = found else {
            // Spend the same time as a real check, so a login's existence does not show.
            let _ = verify_password(password, baom_keys::unknowable_hash());
            self.record(login, "unknown_login", now)?;
            return Err(AccountError::WrongCredentials);
        };
        let account = account?;
        if let Some(until) = locked_until.and_then(|u| u.parse::<Timestamp>().ok())
            && until > now
        {
            self.record(login, "locked", now)?;
            return Err(AccountError::Locked { until });
        }
        if !verify_password(password, &hash) {
            let conn = lock(&self.conn)?;
            let failures = failures + 1;
            let until = (failures >= LOCK_AFTER_FAILURES).then(|| now + LOCK_FOR);
            conn.execute(
                "UPDATE accounts SET failed_logins = ?2, locked_until = ?3 WHERE id = ?1",
                params![
                    account.id,
                    if until.is_some() { 0 } else { failures },
                    until.map(|u| u.to_string())
                ],
            )?;
            drop(conn);
            self.record(
                login,
                if until.is_some() {
                    "wrong_password_locked"
                } else {
                    "wrong_password"
                },
                now,
            )?;
            return Err(match until {
                Some(until) => AccountError::Locked { until },
                None => AccountError::WrongCredentials,
            });
        }
        let token = random_hex(32)?;
        let csrf = random_hex(16)?;
        let lifetime = if account.role == Role::Display {
            DISPLAY_SESSION
        } else {
            STAFF_SESSION
        };
        let conn = lock(&self.conn)?;
        conn.execute(
            "UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE id = ?1",
            [account.id],
        )?;
        conn.execute(
            "INSERT INTO sessions (token_hash, account_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_hash(&token), account.id, csrf, now.to_string(), (now + lifetime).to_string()],
        )?;
        drop(conn);
        self.record(login, "ok", now)?;
        Ok((
            token.clone(),
            Session {
                account,
                csrf,
                token_hash: token_hash(&token),
            },
        ))
    }

    fn record(&self, login: &str, outcome: &str, now: Timestamp) -> Result<(), AccountError> {
        let login: String = login.chars().take(64).collect();
        lock(&self.conn)?.execute(
            "INSERT INTO login_events (at, login, outcome) VALUES (?1, ?2, ?3)",
            params![now.to_string(), login, outcome],
        )?;
        Ok(())
    }

    /// The session behind a cookie's token, if it is still valid.
    pub fn session(&self, token: &str, now: Timestamp) -> Result<Option<Session>, AccountError> {
        if token.len() != 64 {
            return Ok(None);
        }
        let hash = token_hash(token);
        let conn = lock(&self.conn)?;
        let row = conn
            .query_row(
                "SELECT a.id, a.login, a.display_name, a.role, a.must_change_password, s.csrf, s.expires_at
                 FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = ?1",
                [&hash],
                |r| Ok((account_row(r)?, r.get::<_, String>(5)?, r.get::<_, String>(6)?)),
            )
            .optional()?;
        let Some((account, csrf, expires)) = row else {
            return Ok(None);
        };
        if expires.parse::<Timestamp>().map_or(true, |e| e <= now) {
            conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [&hash])?;
            return Ok(None);
        }
        Ok(Some(Session {
            account: account?,
            csrf,
            token_hash: hash,
        }))
    }

    pub fn logout(&self, session: &Session) -> Result<(), AccountError> {
        lock(&self.conn)?.execute(
            "DELETE FROM sessions WHERE token_hash = ?1",
            [&session.token_hash],
        )?;
        Ok(())
    }

    /// Replaces the password after checking the current one; other sessions of the account end.
    pub fn change_password(
        &self,
        session: &Session,
        current: &str,
        new: &str,
    ) -> Result<(), AccountError> {
        let hash: String = lock(&self.conn)?.query_row(
            "SELECT password_hash FROM accounts WHERE id = ?1",
            [session.account.id],
            |r| r.get(0),
        )?;
        if !verify_password(current, &hash) {
            return Err(AccountError::WrongCredentials);
        }
        check_new_password(&session.account.login, current, new)?;
        let new_hash = hash_password(new)?;
        let conn = lock(&self.conn)?;
        conn.execute(
            "UPDATE accounts SET password_hash = ?2, must_change_password = 0, password_changed_at = ?3 WHERE id = ?1",
            params![session.account.id, new_hash, Timestamp::now().to_string()],
        )?;
        conn.execute(
            "DELETE FROM sessions WHERE account_id = ?1 AND token_hash <> ?2",
            params![session.account.id, session.token_hash],
        )?;
        Ok(())
    }
}

fn account_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Account, AccountError>> {
    let role: String = r.get(3)?;
    Ok(role
        .parse::<Role>()
        .map_err(|e| AccountError::Store(StoreError::Corrupt(e)))
        .map(|role| Account {
            id: r.get(0).unwrap_or_default(),
            login: r.get(1).unwrap_or_default(),
            display_name: r.get(2).unwrap_or_default(),
            role,
            must_change_password: r.get(4).unwrap_or(true),
        }))
}

/// The rules a new password must meet.
pub fn check_new_password(login: &str, current: &str, new: &str) -> Result<(), AccountError> {
    if new.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::WeakPassword(format!(
            "use at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if new == current {
        return Err(AccountError::WeakPassword(
            "it must differ from the one-time password".into(),
        ));
    }
    if new.to_lowercase().contains(&login.to_lowercase()) {
        return Err(AccountError::WeakPassword(
            "it must not contain the login".into(),
        ));
    }
    if new.len() > 256 {
        return Err(AccountError::WeakPassword("use at most 256 bytes".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accounts() -> (tempfile::TempDir, Accounts) {
        let dir = tempfile::tempdir().expect("tempdir");
        let accounts = Accounts::open(&dir.path().join("accounts.db")).expect("open");
        (dir, accounts)
    }

    #[test]
    fn a_one_time_password_opens_a_session_that_must_change_it() {
        let (_dir, accounts) = accounts();
        accounts
            .create("amina", "Amina", Role::Officer, "first-time-9")
            .expect("create");
        let now = Timestamp::now();
        let (token, session) = accounts.login("amina", "first-time-9", now).expect("login");
        assert!(session.account.must_change_password);
        assert_eq!(
            accounts
                .session(&token, now)
                .expect("lookup")
                .map(|s| s.account.login),
            Some("amina".into())
        );
        assert!(matches!(
            accounts.change_password(&session, "first-time-9", "short"),
            Err(AccountError::WeakPassword(_))
        ));
        assert!(matches!(
            accounts.change_password(&session, "first-time-9", "first-time-9"),
            Err(AccountError::WeakPassword(_))
        ));
        assert!(matches!(
            accounts.change_password(&session, "wrong", "a good new passphrase"),
            Err(AccountError::WrongCredentials)
        ));
        accounts
            .change_password(&session, "first-time-9", "a good new passphrase")
            .expect("change");
        let session = accounts
            .session(&token, now)
            .expect("lookup")
            .expect("still valid");
        assert!(!session.account.must_change_password);
        accounts.logout(&session).expect("logout");
        assert!(accounts.session(&token, now).expect("lookup").is_none());
    }

    #[test]
    fn the_tenth_wrong_password_locks_even_the_right_one_out() {
        let (_dir, accounts) = accounts();
        accounts
            .create("amina", "Amina", Role::Officer, "right-password")
            .expect("create");
        let now = Timestamp::now();
        for i in 1..LOCK_AFTER_FAILURES {
            assert!(
                matches!(
                    accounts.login("amina", "wrong", now),
                    Err(AccountError::WrongCredentials)
                ),
                "attempt {i}"
            );
        }
        assert!(matches!(
            accounts.login("amina", "wrong", now),
            Err(AccountError::Locked { .. })
        ));
        assert!(matches!(
            accounts.login("amina", "right-password", now),
            Err(AccountError::Locked { .. })
        ));
        // A quarter of an hour later the right password works again.
        assert!(
            accounts
                .login(
                    "amina",
                    "right-password",
                    now + LOCK_FOR + SignedDuration::from_secs(1)
                )
                .is_ok()
        );
    }

    #[test]
    fn sessions_expire_and_unknown_logins_look_like_wrong_passwords() {
        let (_dir, accounts) = accounts();
        accounts
            .create("tv", "Lobby TV", Role::Display, "tv-password-1")
            .expect("create");
        accounts
            .create("amina", "Amina", Role::Officer, "right-password")
            .expect("create");
        let now = Timestamp::now();
        let (token, _) = accounts
            .login("amina", "right-password", now)
            .expect("login");
        assert!(
            accounts
                .session(&token, now + STAFF_SESSION)
                .expect("lookup")
                .is_none()
        );
        let (tv, _) = accounts.login("tv", "tv-password-1", now).expect("login");
        assert!(
            accounts
                .session(&tv, now + STAFF_SESSION)
                .expect("lookup")
                .is_some(),
            "the TV stays logged in"
        );
        assert!(matches!(
            accounts.login("nobody", "x", now),
            Err(AccountError::WrongCredentials)
        ));
        assert!(
            accounts
                .session("not a token", now)
                .expect("lookup")
                .is_none()
        );
        assert!(matches!(
            accounts.create("amina", "Again", Role::Officer, "whatever-123"),
            Err(AccountError::Exists(_))
        ));
    }
}
