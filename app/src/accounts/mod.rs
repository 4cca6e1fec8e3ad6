//! Staff accounts and their sessions, in `accounts.db`.
//!
//! Kept out of `queue.db` (which holds no data about people) and out of `dossiers.db` (which
//! opens only after a login). Passwords are argon2id hashes; a new or reset account has a
//! one-time password that must be changed at first login. Ten wrong passwords in a row lock the
//! login for unknown browsers for a quarter of an hour, whatever comes next, while a browser the
//! account logged in from before keeps its own budget ([`guard`]). Sessions are random tokens of
//! which only a SHA-256 hash is stored, each with its own CSRF token; they end after a working
//! day, or half an hour without a request (the lobby TV's last), and a new password starts a new
//! session.
//!
//! One writer: every write goes through the one connection behind a mutex.

mod guard;
mod keys;

pub use guard::{LOCK_AFTER_FAILURES, LOCK_FOR};

pub use baom_domain::staff::Role;
pub use baom_keys::{StoredVault, Wrap, hash_password, new_one_time_password, verify_password};

use crate::store::{self, StoreError};
use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A staff session lasts a working day at most.
pub const STAFF_SESSION: SignedDuration = SignedDuration::from_hours(12);
/// The lobby TV stays logged in (it has no keyboard); its account can only show the lobby.
pub const DISPLAY_SESSION: SignedDuration = SignedDuration::from_hours(24 * 400);
/// A staff session left this long without a request ends (a shared PC left open).
pub const STAFF_IDLE: SignedDuration = SignedDuration::from_mins(30);
/// How often a session's last request is written down (not at every request).
const SEEN_EVERY: SignedDuration = SignedDuration::from_secs(60);
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
    // 3: the lock-out per login tried (known or not) and the browsers each account logged in
    // from (see `guard`); sessions' last request, for the idle timeout. (`accounts`'
    // `failed_logins` and `locked_until` are no longer used.)
    "CREATE TABLE login_guard (
        login TEXT PRIMARY KEY,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        last_failure TEXT NOT NULL
    );
    CREATE TABLE devices (
        token_hash TEXT NOT NULL,
        account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        failures INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        last_used_at TEXT NOT NULL,
        PRIMARY KEY (token_hash, account_id)
    );
    ALTER TABLE sessions ADD COLUMN last_seen TEXT;
    CREATE TABLE audit_anchor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,                 -- the dossiers' audit chain's last line
        hash TEXT NOT NULL,
        at TEXT NOT NULL
    );",
    // 4: accounts a supervisor disabled (their sessions end, their logins are refused) and
    // when; `team.rs` manages them.
    "ALTER TABLE accounts ADD COLUMN disabled_at TEXT;",
];

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub must_change_password: bool,
}

/// An account as the supervisor's staff page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub account: Account,
    /// When a supervisor disabled it, if they did.
    pub disabled_at: Option<String>,
    pub created_at: String,
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
    WeakPassword(PasswordRule),
    #[error("the password could not be hashed: {0}")]
    Hashing(String),
    #[error("an account {0:?} already exists")]
    Exists(String),
    #[error("too many logins at once; try again in a moment")]
    Busy,
    #[error("this account is disabled: ask a supervisor")]
    Disabled,
    #[error("there is no account {0:?}")]
    Unknown(String),
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
    attempts: Arc<guard::Attempts>,
}

/// A successful login.
#[derive(Debug)]
pub struct LoggedIn {
    /// The session's token, for the cookie.
    pub token: String,
    pub session: Session,
    /// A device token for the browser to keep, if it had none of ours yet.
    pub device: Option<String>,
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
        store::rollback::restore_if_rolled_back(path, MIGRATIONS.len() as i64, "accounts")?;
        let mut conn = Connection::open(path).map_err(StoreError::from)?;
        store::configure(&conn)?;
        store::migrations::apply(&mut conn, MIGRATIONS, "accounts")?;
        Ok(Accounts {
            conn: Arc::new(Mutex::new(conn)),
            attempts: Arc::default(),
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
            params![login, display_name, role.as_str(), hash, crate::clock::now().to_string()],
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
            return Err(AccountError::Unknown(login.to_owned()));
        }
        conn.execute(
            "DELETE FROM sessions WHERE account_id = (SELECT id FROM accounts WHERE login = ?1)",
            [login],
        )?;
        conn.execute("DELETE FROM login_guard WHERE login = ?1", [login])?;
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

    /// Every account with whether it is disabled, by login.
    pub fn listed(&self) -> Result<Vec<Listed>, AccountError> {
        let conn = lock(&self.conn)?;
        let mut stmt = conn.prepare(
            "SELECT id, login, display_name, role, must_change_password, disabled_at, created_at FROM accounts ORDER BY login",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                account_row(r)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (account, disabled_at, created_at) = row?;
            out.push(Listed {
                account: account?,
                disabled_at,
                created_at,
            });
        }
        Ok(out)
    }

    /// Gives an account another role; its sessions end (their pages were the old role's).
    pub fn set_role(&self, login: &str, role: Role) -> Result<(), AccountError> {
        let conn = lock(&self.conn)?;
        let n = conn.execute(
            "UPDATE accounts SET role = ?2 WHERE login = ?1",
            params![login, role.as_str()],
        )?;
        if n == 0 {
            return Err(AccountError::Unknown(login.to_owned()));
        }
        conn.execute(
            "DELETE FROM sessions WHERE account_id = (SELECT id FROM accounts WHERE login = ?1)",
            [login],
        )?;
        Ok(())
    }

    /// Disables an account (its sessions end at once and it can no longer log in) or enables
    /// it again.
    pub fn set_enabled(
        &self,
        login: &str,
        enabled: bool,
        now: Timestamp,
    ) -> Result<(), AccountError> {
        let conn = lock(&self.conn)?;
        let n = if enabled {
            conn.execute(
                "UPDATE accounts SET disabled_at = NULL WHERE login = ?1",
                [login],
            )?
        } else {
            conn.execute(
                "UPDATE accounts SET disabled_at = coalesce(disabled_at, ?2) WHERE login = ?1",
                params![login, now.to_string()],
            )?
        };
        if n == 0 {
            return Err(AccountError::Unknown(login.to_owned()));
        }
        if !enabled {
            conn.execute(
                "DELETE FROM sessions WHERE account_id = (SELECT id FROM accounts WHERE login = ?1)",
                [login],
            )?;
        }
        Ok(())
    }

    /// The clock was set forward by `by`: every session keeps the time it had left.
    pub fn shift_sessions(&self, by: SignedDuration) -> Result<(), AccountError> {
        let conn = lock(&self.conn)?;
        let mut stmt = conn.prepare("SELECT token_hash, expires_at, last_seen FROM sessions")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let shift = |t: &str| {
            t.parse::<Timestamp>()
                .ok()
                .and_then(|t| t.checked_add(by).ok())
                .map(|t| t.to_string())
        };
        for (hash, expires, seen) in rows {
            conn.execute(
                "UPDATE sessions SET expires_at = coalesce(?2, expires_at), last_seen = coalesce(?3, last_seen) WHERE token_hash = ?1",
                params![hash, shift(&expires), seen.as_deref().and_then(shift)],
            )?;
        }
        Ok(())
    }

    /// Checks a password, as the browser holding `device` (its device token, if any) sends it.
    /// On success opens a session. Every attempt is recorded; see [`guard`] for the lock-out.
    pub fn login(
        &self,
        login: &str,
        password: &str,
        device: Option<&str>,
        now: Timestamp,
    ) -> Result<LoggedIn, AccountError> {
        let gate = self.attempts.of(login);
        let _one_at_a_time = gate.lock();
        let found = {
            let conn = lock(&self.conn)?;
            conn.query_row(
                "SELECT id, login, display_name, role, must_change_password, password_hash, disabled_at IS NOT NULL FROM accounts WHERE login = ?1",
                [login],
                |r| Ok((account_row(r)?, r.get::<_, String>(5)?, r.get::<_, bool>(6)?)),
            )
            .optional()?
        };
        let (account, hash, disabled) = match found {
            Some((account, hash, disabled)) => (Some(account?), Some(hash), disabled),
            None => (None, None, false),
        };
        let account_id = account.as_ref().map(|a| a.id);
        let client = self.client(account_id, device)?;
        if matches!(client, guard::Client::Unknown)
            && let Some(until) = self.locked_until(login, now)?
        {
            self.record(login, "locked", now)?;
            return Err(AccountError::Locked { until });
        }
        // An unknown login spends the same time as a real check, so its existence does not show.
        let right = verify_password(
            password,
            hash.as_deref().unwrap_or(baom_keys::unknowable_hash()),
        ) && account.is_some();
        let Some(account) = account.filter(|_| right) else {
            let locked = self.failed(login, account_id, &client, now)?;
            self.record(
                login,
                if locked.is_some() {
                    "wrong_password_locked"
                } else {
                    "wrong_password"
                },
                now,
            )?;
            return Err(match locked {
                Some(until) => AccountError::Locked { until },
                None => AccountError::WrongCredentials,
            });
        };
        if disabled {
            self.record(login, "disabled", now)?;
            return Err(AccountError::Disabled);
        }
        let device = self.succeeded(login, account.id, &client, device, now)?;
        let (token, session) = self.open_session(account, None, now)?;
        self.record(login, "ok", now)?;
        Ok(LoggedIn {
            token,
            session,
            device,
        })
    }

    /// A new session for `account` (keeping `csrf`, the open page's token, when it replaces
    /// one).
    fn open_session(
        &self,
        account: Account,
        csrf: Option<String>,
        now: Timestamp,
    ) -> Result<(String, Session), AccountError> {
        let token = random_hex(32)?;
        let csrf = match csrf {
            Some(c) => c,
            None => random_hex(16)?,
        };
        let lifetime = if account.role == Role::Display {
            DISPLAY_SESSION
        } else {
            STAFF_SESSION
        };
        lock(&self.conn)?.execute(
            "INSERT INTO sessions (token_hash, account_id, csrf, created_at, expires_at, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?4)",
            params![token_hash(&token), account.id, csrf, now.to_string(), (now + lifetime).to_string()],
        )?;
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

    /// Anchors the head of the dossiers' audit chain here, outside `dossiers.db` (see
    /// `dossiers::audit`). A head never moves backwards.
    pub fn anchor_audit(&self, seq: i64, hash: &str) -> Result<(), AccountError> {
        lock(&self.conn)?.execute(
            "INSERT INTO audit_anchor (id, seq, hash, at) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at
             WHERE excluded.seq > audit_anchor.seq",
            params![seq, hash, crate::clock::now().to_string()],
        )?;
        Ok(())
    }

    /// The time of the last login, session request or audit anchor recorded here.
    pub fn last_recorded(&self) -> Result<Option<String>, AccountError> {
        Ok(lock(&self.conn)?.query_row(
            "SELECT max(t) FROM (
                SELECT max(at) AS t FROM login_events
                UNION ALL SELECT max(last_seen) FROM sessions
                UNION ALL SELECT max(at) FROM audit_anchor)",
            [],
            |r| r.get(0),
        )?)
    }

    /// The anchored head of the dossiers' audit chain, `(line, hash)`.
    pub fn audit_anchor(&self) -> Result<Option<(i64, String)>, AccountError> {
        Ok(lock(&self.conn)?
            .query_row("SELECT seq, hash FROM audit_anchor WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
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
                "SELECT a.id, a.login, a.display_name, a.role, a.must_change_password, s.csrf, s.expires_at, s.last_seen
                 FROM sessions s JOIN accounts a ON a.id = s.account_id
                 WHERE s.token_hash = ?1 AND a.disabled_at IS NULL",
                [&hash],
                |r| {
                    Ok((
                        account_row(r)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, Option<String>>(7)?,
                    ))
                },
            )
            .optional()?;
        let Some((account, csrf, expires, last_seen)) = row else {
            return Ok(None);
        };
        let account = account?;
        let last_seen = last_seen.and_then(|l| l.parse::<Timestamp>().ok());
        let idle = account.role != Role::Display
            && last_seen.is_some_and(|seen| now.duration_since(seen) > STAFF_IDLE);
        if idle || expires.parse::<Timestamp>().map_or(true, |e| e <= now) {
            conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [&hash])?;
            return Ok(None);
        }
        if last_seen.is_none_or(|seen| now.duration_since(seen) > SEEN_EVERY) {
            conn.execute(
                "UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1",
                params![hash, now.to_string()],
            )?;
        }
        Ok(Some(Session {
            account,
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

    /// Replaces the password after checking the current one (a wrong one counts as a wrong
    /// password for the lock-out). Every session of the account ends, this one included, and a
    /// new one begins (with the same CSRF token): returns its token.
    pub fn change_password(
        &self,
        session: &Session,
        current: &str,
        new: &str,
        now: Timestamp,
    ) -> Result<(String, Session), AccountError> {
        let login = &session.account.login;
        let gate = self.attempts.of(login);
        let _one_at_a_time = gate.lock();
        if let Some(until) = self.locked_until(login, now)? {
            return Err(AccountError::Locked { until });
        }
        let hash: String = lock(&self.conn)?.query_row(
            "SELECT password_hash FROM accounts WHERE id = ?1",
            [session.account.id],
            |r| r.get(0),
        )?;
        if !verify_password(current, &hash) {
            let locked = self.failed(
                login,
                Some(session.account.id),
                &guard::Client::Unknown,
                now,
            )?;
            self.record(login, "wrong_current_password", now)?;
            return Err(match locked {
                Some(until) => AccountError::Locked { until },
                None => AccountError::WrongCredentials,
            });
        }
        check_new_password(login, current, new)?;
        let new_hash = hash_password(new)?;
        {
            let conn = lock(&self.conn)?;
            conn.execute(
                "UPDATE accounts SET password_hash = ?2, must_change_password = 0, password_changed_at = ?3 WHERE id = ?1",
                params![session.account.id, new_hash, now.to_string()],
            )?;
            conn.execute(
                "DELETE FROM sessions WHERE account_id = ?1",
                [session.account.id],
            )?;
        }
        let mut account = session.account.clone();
        account.must_change_password = false;
        // A new token; the page's CSRF token stays, so the page that changed it keeps working.
        self.open_session(account, Some(session.csrf.clone()), now)
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

/// A rule a new password broke; its code names the sentence the pages show
/// (`password-rule-{code}`), its text is the API's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordRule {
    TooShort,
    SameAsOneTime,
    ContainsLogin,
    TooLong,
}

impl PasswordRule {
    pub fn code(self) -> &'static str {
        match self {
            PasswordRule::TooShort => "too_short",
            PasswordRule::SameAsOneTime => "same_as_current",
            PasswordRule::ContainsLogin => "contains_login",
            PasswordRule::TooLong => "too_long",
        }
    }
}

impl std::fmt::Display for PasswordRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PasswordRule::TooShort => write!(f, "use at least {MIN_PASSWORD_CHARS} characters"),
            PasswordRule::SameAsOneTime => write!(f, "it must differ from the one-time password"),
            PasswordRule::ContainsLogin => write!(f, "it must not contain the login"),
            PasswordRule::TooLong => write!(f, "use at most 256 bytes"),
        }
    }
}

/// The rules a new password must meet.
pub fn check_new_password(login: &str, current: &str, new: &str) -> Result<(), AccountError> {
    let broken = if new.chars().count() < MIN_PASSWORD_CHARS {
        Some(PasswordRule::TooShort)
    } else if new == current {
        Some(PasswordRule::SameAsOneTime)
    } else if new.to_lowercase().contains(&login.to_lowercase()) {
        Some(PasswordRule::ContainsLogin)
    } else if new.len() > 256 {
        Some(PasswordRule::TooLong)
    } else {
        None
    };
    match broken {
        Some(rule) => Err(AccountError::WeakPassword(rule)),
        None => Ok(()),
    }
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
        let now = crate::clock::now();
        let first = accounts
            .login("amina", "first-time-9", None, now)
            .expect("login");
        assert!(first.session.account.must_change_password);
        assert!(first.device.is_some(), "a new browser gets a device token");
        assert_eq!(
            accounts
                .session(&first.token, now)
                .expect("lookup")
                .map(|s| s.account.login),
            Some("amina".into())
        );
        let session = &first.session;
        assert!(matches!(
            accounts.change_password(session, "first-time-9", "short", now),
            Err(AccountError::WeakPassword(_))
        ));
        assert!(matches!(
            accounts.change_password(session, "first-time-9", "first-time-9", now),
            Err(AccountError::WeakPassword(_))
        ));
        assert!(matches!(
            accounts.change_password(session, "wrong", "a good new passphrase", now),
            Err(AccountError::WrongCredentials)
        ));
        let (token, renewed) = accounts
            .change_password(session, "first-time-9", "a good new passphrase", now)
            .expect("change");
        // The session that carried the one-time password ends; a new one begins.
        assert!(
            accounts
                .session(&first.token, now)
                .expect("lookup")
                .is_none()
        );
        assert_ne!(token, first.token);
        let session = accounts
            .session(&token, now)
            .expect("lookup")
            .expect("the new session");
        assert!(!session.account.must_change_password && !renewed.account.must_change_password);
        accounts.logout(&session).expect("logout");
        assert!(accounts.session(&token, now).expect("lookup").is_none());
    }

    #[test]
    fn the_tenth_wrong_password_locks_even_the_right_one_out() {
        let (_dir, accounts) = accounts();
        accounts
            .create("amina", "Amina", Role::Officer, "right-password")
            .expect("create");
        let now = crate::clock::now();
        for i in 1..LOCK_AFTER_FAILURES {
            assert!(
                matches!(
                    accounts.login("amina", "wrong", None, now),
                    Err(AccountError::WrongCredentials)
                ),
                "attempt {i}"
            );
        }
        assert!(matches!(
            accounts.login("amina", "wrong", None, now),
            Err(AccountError::Locked { .. })
        ));
        assert!(matches!(
            accounts.login("amina", "right-password", None, now),
            Err(AccountError::Locked { .. })
        ));
        // A quarter of an hour later the right password works again.
        assert!(
            accounts
                .login(
                    "amina",
                    "right-password",
                    None,
                    now + LOCK_FOR + SignedDuration::from_secs(1)
                )
                .is_ok()
        );
    }

    #[test]
    fn a_known_browser_still_logs_in_while_the_account_is_locked_for_others() {
        let (_dir, accounts) = accounts();
        accounts
            .create("amina", "Amina", Role::Officer, "right-password")
            .expect("create");
        let now = crate::clock::now();
        let desk = accounts
            .login("amina", "right-password", None, now)
            .expect("first login")
            .device
            .expect("device token");
        for _ in 0..LOCK_AFTER_FAILURES {
            let _ = accounts.login("amina", "guess", None, now);
        }
        assert!(matches!(
            accounts.login("amina", "right-password", None, now),
            Err(AccountError::Locked { .. })
        ));
        let again = accounts
            .login("amina", "right-password", Some(&desk), now)
            .expect("her own desk");
        assert!(again.device.is_none(), "the desk keeps its token");
        // A stolen device token still needs the password, and has its own ten tries.
        for _ in 0..LOCK_AFTER_FAILURES {
            assert!(matches!(
                accounts.login("amina", "guess", Some(&desk), now),
                Err(AccountError::WrongCredentials)
            ));
        }
        assert!(matches!(
            accounts.login("amina", "right-password", Some(&desk), now),
            Err(AccountError::Locked { .. })
        ));
    }

    #[test]
    fn unknown_logins_are_locked_like_known_ones() {
        let (_dir, accounts) = accounts();
        let now = crate::clock::now();
        for _ in 1..LOCK_AFTER_FAILURES {
            assert!(matches!(
                accounts.login("nobody", "x", None, now),
                Err(AccountError::WrongCredentials)
            ));
        }
        assert!(matches!(
            accounts.login("nobody", "x", None, now),
            Err(AccountError::Locked { .. })
        ));
    }

    #[test]
    fn sessions_expire_when_old_or_idle() {
        let (_dir, accounts) = accounts();
        accounts
            .create("tv", "Lobby TV", Role::Display, "tv-password-1")
            .expect("create");
        accounts
            .create("amina", "Amina", Role::Officer, "right-password")
            .expect("create");
        let now = crate::clock::now();
        let amina = accounts
            .login("amina", "right-password", None, now)
            .expect("login");
        // Requests keep a session alive; half an hour without one ends it.
        let later = now + SignedDuration::from_mins(20);
        assert!(
            accounts
                .session(&amina.token, later)
                .expect("lookup")
                .is_some()
        );
        assert!(
            accounts
                .session(&amina.token, later + SignedDuration::from_mins(20))
                .expect("lookup")
                .is_some()
        );
        assert!(
            accounts
                .session(
                    &amina.token,
                    later + STAFF_IDLE + SignedDuration::from_mins(21)
                )
                .expect("lookup")
                .is_none()
        );
        let amina = accounts
            .login("amina", "right-password", None, now)
            .expect("login");
        let mut t = now;
        while t < now + STAFF_SESSION {
            t += SignedDuration::from_mins(25);
            let _ = accounts.session(&amina.token, t);
        }
        assert!(accounts.session(&amina.token, t).expect("lookup").is_none());
        let tv = accounts
            .login("tv", "tv-password-1", None, now)
            .expect("login");
        assert!(
            accounts
                .session(&tv.token, now + STAFF_SESSION)
                .expect("lookup")
                .is_some(),
            "the TV stays logged in"
        );
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
