//! Finding a ticket as the desk, the kiosk and the API ask for it: by id (today's from the live
//! queue, older ones from `queue.db`) or by its signed token (the QR code; the signature is
//! checked before anything is read), with its receipt's state.

use crate::queue_service::QueueService;
use crate::store::receipts::{self, ReceiptState};
use crate::store::{Reader, StoreError, tickets};
use crate::token::{TokenError, TokenKey};
use baom_domain::queue::{Ticket, TicketId};

#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    #[error("there is no ticket {0}")]
    Unknown(String),
    #[error("{0}")]
    InvalidToken(TokenError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("tokens: {0}")]
    Token(TokenError),
}

/// The office's tickets, for look-ups. Cheap to clone.
#[derive(Clone)]
pub struct Tickets {
    queue: QueueService,
    reader: Reader,
    tokens: TokenKey,
}

impl Tickets {
    pub fn new(queue: QueueService, reader: Reader, tokens: TokenKey) -> Tickets {
        Tickets {
            queue,
            reader,
            tokens,
        }
    }

    /// A ticket by id: today's from the live queue, older ones from disk.
    pub async fn by_id(&self, id: TicketId) -> Result<Ticket, TicketError> {
        if let Some(t) = self.queue.snapshot().ticket(id) {
            return Ok(*t);
        }
        self.reader
            .run(move |c| tickets::by_id(c, id))
            .await?
            .ok_or_else(|| TicketError::Unknown(id.to_string()))
    }

    /// The ticket behind a token, its signature checked first: forged, altered or malformed
    /// tokens are refused before the database is read. Today's state if it is today's.
    pub async fn by_token(&self, token: &str) -> Result<Ticket, TicketError> {
        let token = self.tokens.verify(token).map_err(|e| match e {
            TokenError::Malformed | TokenError::Forged => TicketError::InvalidToken(e),
            other => TicketError::Token(other),
        })?;
        let stored = self
            .reader
            .run(move |c| tickets::by_token(c, &token))
            .await?
            .ok_or_else(|| TicketError::Unknown("with that token".into()))?;
        Ok(self
            .queue
            .snapshot()
            .ticket(stored.id)
            .copied()
            .unwrap_or(stored))
    }

    /// A ticket's token (what its QR code holds).
    pub async fn token_of(&self, id: TicketId) -> Result<String, TicketError> {
        self.reader
            .run(move |c| tickets::token_of(c, id))
            .await?
            .ok_or_else(|| TicketError::Unknown(id.to_string()))
    }

    /// A ticket's receipt state; `None` for a ticket that never had one (issued on the LAN).
    pub async fn receipt_state(&self, id: TicketId) -> Result<Option<ReceiptState>, StoreError> {
        self.reader.run(move |c| receipts::state(c, id)).await
    }

    /// The printer's latest events, newest first.
    pub async fn printer_events(
        &self,
        limit: usize,
    ) -> Result<Vec<receipts::PrinterEvent>, StoreError> {
        self.reader.run(move |c| receipts::events(c, limit)).await
    }
}
