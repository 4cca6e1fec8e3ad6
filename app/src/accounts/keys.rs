//! Where the dossiers' key is kept: wrapped, once per holder, in `accounts.db` (see `vault` for
//! the scheme). This file only stores and reads the wrapped blobs; it never sees a key.

use super::{AccountError, Accounts, lock};
use baom_keys::{StoredVault, Wrap};
use rusqlite::{OptionalExtension, params};

impl Accounts {
    /// The stored vault, if one was ever created.
    pub fn vault(&self) -> Result<Option<StoredVault>, AccountError> {
        let conn = lock(&self.conn)?;
        let Some(scan_public_key) = conn
            .query_row("SELECT scan_public_key FROM vault WHERE id = 1", [], |r| {
                r.get::<_, Vec<u8>>(0)
            })
            .optional()?
        else {
            return Ok(None);
        };
        let mut stmt =
            conn.prepare("SELECT holder, salt, nonce, wrapped FROM key_wraps ORDER BY holder")?;
        let wraps = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Wrap {
                        salt: r.get(1)?,
                        nonce: r.get(2)?,
                        wrapped: r.get(3)?,
                    },
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(StoredVault {
            scan_public_key,
            wraps,
        }))
    }

    /// Stores a new vault, in one transaction; refuses if one exists (a box has one key for
    /// its whole life: a second one would orphan every dossier).
    pub fn create_vault(&self, vault: &StoredVault) -> Result<(), AccountError> {
        let mut conn = lock(&self.conn)?;
        let tx = conn.transaction()?;
        let now = crate::clock::now().to_string();
        let exists: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM vault)", [], |r| r.get(0))?;
        if exists {
            return Err(AccountError::Exists("vault".into()));
        }
        tx.execute(
            "INSERT INTO vault (id, scan_public_key, created_at) VALUES (1, ?1, ?2)",
            params![vault.scan_public_key, now],
        )?;
        for (holder, wrap) in &vault.wraps {
            tx.execute(
                "INSERT INTO key_wraps (holder, salt, nonce, wrapped, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![holder, wrap.salt, wrap.nonce, wrap.wrapped, now],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn wrap(&self, holder: &str) -> Result<Option<Wrap>, AccountError> {
        let conn = lock(&self.conn)?;
        Ok(conn
            .query_row(
                "SELECT salt, nonce, wrapped FROM key_wraps WHERE holder = ?1",
                [holder],
                |r| {
                    Ok(Wrap {
                        salt: r.get(0)?,
                        nonce: r.get(1)?,
                        wrapped: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Forgets a holder's wrap (the old password must open nothing).
    pub fn drop_wrap(&self, holder: &str) -> Result<(), AccountError> {
        let conn = lock(&self.conn)?;
        conn.execute("DELETE FROM key_wraps WHERE holder = ?1", [holder])?;
        Ok(())
    }

    /// Adds or replaces a holder's wrap.
    pub fn put_wrap(&self, holder: &str, wrap: &Wrap) -> Result<(), AccountError> {
        let conn = lock(&self.conn)?;
        conn.execute(
            "INSERT INTO key_wraps (holder, salt, nonce, wrapped, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (holder) DO UPDATE SET salt = excluded.salt, nonce = excluded.nonce,
                 wrapped = excluded.wrapped, created_at = excluded.created_at",
            params![holder, wrap.salt, wrap.nonce, wrap.wrapped, crate::clock::now().to_string()],
        )?;
        Ok(())
    }
}
