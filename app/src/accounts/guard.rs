//! The lock-out, as it holds under concurrency and without letting anyone lock staff out at will
//! (OWASP's "device cookies"): attempts for one login run one at a time; ten wrong passwords from
//! unknown browsers lock that login for unknown browsers for a quarter of an hour, whether the
//! login exists or not (so the answer does not tell which logins exist); a browser where the
//! account has logged in before carries a device token and keeps its own budget of ten, so the
//! officer at their own desk still logs in while someone hammers the account from elsewhere.

use super::{AccountError, Accounts, lock, token_hash};
use jiff::{SignedDuration, Timestamp};
use rusqlite::{OptionalExtension, params};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Consecutive wrong passwords after which a login is locked (for unknown browsers), or a
/// device token stops being trusted.
pub const LOCK_AFTER_FAILURES: i64 = 10;
/// How long a locked login stays locked.
pub const LOCK_FOR: SignedDuration = SignedDuration::from_mins(15);
/// A guard row for a login nobody tried for this long is forgotten.
const FORGET_AFTER: SignedDuration = SignedDuration::from_hours(24);

/// One lock per login being tried: attempts for the same login wait for each other, so a
/// failure is counted before the next attempt is judged.
#[derive(Default)]
pub(super) struct Attempts(Mutex<HashMap<String, Arc<Mutex<()>>>>);

impl Attempts {
    /// The lock of `login` (held by the caller for the whole attempt).
    pub(super) fn of(&self, login: &str) -> Arc<Mutex<()>> {
        let Ok(mut map) = self.0.lock() else {
            return Arc::new(Mutex::new(()));
        };
        // Locks nobody holds any more are dropped as we go.
        map.retain(|_, l| Arc::strong_count(l) > 1);
        map.entry(login.to_owned()).or_default().clone()
    }
}

/// How this attempt's browser stands with this account.
pub(super) enum Client {
    /// A browser the account logged in from before (its device token).
    Known {
        token_hash: String,
    },
    Unknown,
}

impl Accounts {
    /// The browser's standing: known if its device token is one of this account's.
    pub(super) fn client(
        &self,
        account: Option<i64>,
        device: Option<&str>,
    ) -> Result<Client, AccountError> {
        let (Some(account), Some(device)) = (account, device) else {
            return Ok(Client::Unknown);
        };
        let hash = token_hash(device);
        let known: Option<i64> = lock(&self.conn)?
            .query_row(
                "SELECT failures FROM devices WHERE token_hash = ?1 AND account_id = ?2",
                params![hash, account],
                |r| r.get(0),
            )
            .optional()?;
        Ok(match known {
            Some(f) if f < LOCK_AFTER_FAILURES => Client::Known { token_hash: hash },
            _ => Client::Unknown,
        })
    }

    /// Until when unknown browsers may not try `login`, if it is locked now.
    pub(super) fn locked_until(
        &self,
        login: &str,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, AccountError> {
        let until: Option<Option<String>> = lock(&self.conn)?
            .query_row(
                "SELECT locked_until FROM login_guard WHERE login = ?1",
                [login],
                |r| r.get(0),
            )
            .optional()?;
        Ok(until
            .flatten()
            .and_then(|u| u.parse::<Timestamp>().ok())
            .filter(|u| *u > now))
    }

    /// Counts a wrong password; returns the lock it caused, if this was the last one allowed.
    pub(super) fn failed(
        &self,
        login: &str,
        account: Option<i64>,
        client: &Client,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, AccountError> {
        let conn = lock(&self.conn)?;
        if let (Client::Known { token_hash }, Some(account)) = (client, account) {
            // The device's own budget: used up, the browser is unknown from now on.
            conn.execute(
                "UPDATE devices SET failures = failures + 1 WHERE token_hash = ?1 AND account_id = ?2",
                params![token_hash, account],
            )?;
            conn.execute(
                "DELETE FROM devices WHERE token_hash = ?1 AND account_id = ?2 AND failures >= ?3",
                params![token_hash, account, LOCK_AFTER_FAILURES],
            )?;
            return Ok(None);
        }
        conn.execute(
            "DELETE FROM login_guard WHERE last_failure < ?1 AND (locked_until IS NULL OR locked_until < ?2)",
            params![(now - FORGET_AFTER).to_string(), now.to_string()],
        )?;
        let failures: i64 = conn.query_row(
            "INSERT INTO login_guard (login, failures, last_failure) VALUES (?1, 1, ?2)
             ON CONFLICT (login) DO UPDATE SET failures = failures + 1, last_failure = excluded.last_failure
             RETURNING failures",
            params![login, now.to_string()],
            |r| r.get(0),
        )?;
        if failures < LOCK_AFTER_FAILURES {
            return Ok(None);
        }
        let until = now + LOCK_FOR;
        conn.execute(
            "UPDATE login_guard SET failures = 0, locked_until = ?2 WHERE login = ?1",
            params![login, until.to_string()],
        )?;
        Ok(Some(until))
    }

    /// A right password: the unknown browsers' count starts again, or the device's; returns the
    /// device token the browser should keep (a new one if it had none of ours).
    pub(super) fn succeeded(
        &self,
        login: &str,
        account: i64,
        client: &Client,
        device: Option<&str>,
        now: Timestamp,
    ) -> Result<Option<String>, AccountError> {
        let conn = lock(&self.conn)?;
        match client {
            Client::Known { token_hash } => {
                conn.execute(
                    "UPDATE devices SET failures = 0, last_used_at = ?3 WHERE token_hash = ?1 AND account_id = ?2",
                    params![token_hash, account, now.to_string()],
                )?;
                Ok(None)
            }
            Client::Unknown => {
                conn.execute("DELETE FROM login_guard WHERE login = ?1", [login])?;
                // A token the box gave this browser before (for another account) is kept;
                // anything else is replaced by a new one of ours.
                let ours = match device {
                    Some(d) => conn
                        .query_row(
                            "SELECT EXISTS (SELECT 1 FROM devices WHERE token_hash = ?1)",
                            [token_hash(d)],
                            |r| r.get::<_, bool>(0),
                        )?
                        .then(|| d.to_owned()),
                    None => None,
                };
                let (token, fresh) = match ours {
                    Some(t) => (t, false),
                    None => (super::random_hex(32)?, true),
                };
                conn.execute(
                    "INSERT INTO devices (token_hash, account_id, failures, created_at, last_used_at) VALUES (?1, ?2, 0, ?3, ?3)
                     ON CONFLICT (token_hash, account_id) DO UPDATE SET failures = 0, last_used_at = excluded.last_used_at",
                    params![token_hash(&token), account, now.to_string()],
                )?;
                Ok(fresh.then_some(token))
            }
        }
    }
}
