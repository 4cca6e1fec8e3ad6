//! What the office's receipt printer takes: its paper width and how QR codes are printed. The
//! settings name them; the receipt layout (`baom-receipt`) draws for them.

/// The receipt paper's width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// 58 mm paper: 384 dots at 203 dpi.
    Mm58,
    /// 80 mm paper: 576 dots at 203 dpi.
    Mm80,
}

impl Paper {
    pub fn dots(self) -> usize {
        match self {
            Paper::Mm58 => 384,
            Paper::Mm80 => 576,
        }
    }

    pub fn mm(self) -> u32 {
        match self {
            Paper::Mm58 => 58,
            Paper::Mm80 => 80,
        }
    }

    pub fn from_mm(mm: u32) -> Option<Paper> {
        match mm {
            58 => Some(Paper::Mm58),
            80 => Some(Paper::Mm80),
            _ => None,
        }
    }
}

/// How a receipt's QR code reaches the paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QrMode {
    /// Drawn by the layout and sent as a raster image: every printer prints it.
    #[default]
    Raster,
    /// The printer's own QR command (`GS ( k`): smaller, but not every printer has it.
    Native,
}
