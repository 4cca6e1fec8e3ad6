//! A 1-bit image: what a thermal printer prints, one dot per pixel.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bitmap {
    width: usize,
    height: usize,
    /// Row-major, one byte per dot: 1 is black.
    dots: Vec<u8>,
}

impl Bitmap {
    pub fn new(width: usize, height: usize) -> Bitmap {
        Bitmap {
            width,
            height,
            dots: vec![0; width * height],
        }
    }
    pub fn width(&self) -> usize {
        self.width
    }
    pub fn height(&self) -> usize {
        self.height
    }
    pub fn is_empty(&self) -> bool {
        self.width == 0 || self.height == 0
    }
    pub fn get(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.height && self.dots[y * self.width + x] != 0
    }
    pub fn set(&mut self, x: usize, y: usize) {
        if x < self.width && y < self.height {
            self.dots[y * self.width + x] = 1;
        }
    }
    /// Black dots.
    pub fn ink(&self) -> usize {
        self.dots.iter().filter(|d| **d != 0).count()
    }

    /// The smallest bitmap holding all the ink (empty if there is none).
    pub fn trim(&self) -> Bitmap {
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        for (y, row) in self.dots.chunks_exact(self.width.max(1)).enumerate() {
            let (Some(first), Some(last)) = (
                row.iter().position(|d| *d != 0),
                row.iter().rposition(|d| *d != 0),
            ) else {
                continue;
            };
            x0 = x0.min(first);
            x1 = x1.max(last + 1);
            y0 = y0.min(y);
            y1 = y + 1;
        }
        if x0 == usize::MAX {
            return Bitmap::new(0, 0);
        }
        let width = x1 - x0;
        let mut dots = Vec::with_capacity(width * (y1 - y0));
        for y in y0..y1 {
            dots.extend_from_slice(&self.dots[y * self.width + x0..y * self.width + x1]);
        }
        Bitmap {
            width,
            height: y1 - y0,
            dots,
        }
    }

    /// The columns `from .. from + width` (clipped to the bitmap).
    pub fn crop(&self, from: usize, width: usize) -> Bitmap {
        let from = from.min(self.width);
        let width = width.min(self.width - from);
        let mut out = Bitmap::new(width, self.height);
        out.draw(self, -(from as isize), 0);
        out
    }

    /// Copies `other`'s ink with its top-left corner at (`x`, `y`); what falls outside is clipped.
    pub fn draw(&mut self, other: &Bitmap, x: isize, y: isize) {
        for oy in 0..other.height {
            for ox in 0..other.width {
                if other.get(ox, oy) {
                    let (tx, ty) = (x + ox as isize, y + oy as isize);
                    if tx >= 0 && ty >= 0 {
                        self.set(tx as usize, ty as usize);
                    }
                }
            }
        }
    }

    /// Rows packed 8 dots a byte, most significant bit leftmost: the layout of ESC/POS
    /// `GS v 0` and of a 1-bit PNG. Returns (bytes per row, data).
    pub fn packed_rows(&self) -> (usize, Vec<u8>) {
        let stride = self.width.div_ceil(8);
        let mut data = vec![0u8; stride * self.height];
        for y in 0..self.height {
            for x in 0..self.width {
                if self.get(x, y) {
                    data[y * stride + x / 8] |= 0x80 >> (x % 8);
                }
            }
        }
        (stride, data)
    }

    /// Grey levels, 0 black and 255 white, row-major (for a preview image).
    pub fn to_grey(&self) -> Vec<u8> {
        self.dots
            .iter()
            .map(|d| if *d != 0 { 0 } else { 255 })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_and_pack() {
        let mut b = Bitmap::new(20, 10);
        b.set(3, 2);
        b.set(12, 5);
        let t = b.trim();
        assert_eq!((t.width(), t.height()), (10, 4));
        assert!(t.get(0, 0) && t.get(9, 3));
        let (stride, rows) = t.packed_rows();
        assert_eq!(stride, 2);
        assert_eq!(rows[0], 0x80);
        assert_eq!(rows[3 * 2 + 1], 0x40);
        assert!(Bitmap::new(5, 5).trim().is_empty());
    }
}
