//! The measured fast path of the matcher: where searches start in a text
//! (word starts, eight ASCII bytes at a time) and the prefix table that
//! rejects most of them before the automaton runs.

/// A letter, digit or `_` (of any script): what words are made of.
pub(super) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Finds where searches start in a text.
#[derive(Debug, Clone)]
pub(super) struct WordStarts {
    /// `WORD`, `NON_ASCII`, `OTHER_START` flags of each byte.
    byte_class: [u8; 256],
    /// Whether some pattern begins with neither a letter nor a digit.
    other_start_patterns: bool,
}

impl WordStarts {
    /// `other_starts`: the bytes that can begin a pattern that begins with
    /// neither a letter nor a digit.
    pub(super) fn new(other_starts: &[bool; 256]) -> Self {
        let mut byte_class = [0u8; 256];
        for (b, class) in byte_class.iter_mut().enumerate() {
            if b >= 0x80 {
                *class |= NON_ASCII;
            } else if ASCII_WORD[b] {
                *class |= WORD;
            }
            if other_starts[b] {
                *class |= OTHER_START;
            }
        }
        WordStarts {
            byte_class,
            other_start_patterns: other_starts.contains(&true),
        }
    }

    /// Where searches start: word starts, and (if some pattern begins
    /// with neither a letter nor a digit) every byte that can begin one.
    /// Eight ASCII bytes at a time where it can.
    pub(super) fn find(&self, text: &str, starts: &mut Vec<usize>) {
        starts.clear();
        let bytes = text.as_bytes();
        let mut prev: u32 = 0; // the last character seen is a word character
        let mut i = 0;
        while i < bytes.len() {
            if !self.other_start_patterns {
                if let Some(chunk) = bytes.get(i..i + 8) {
                    let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0x80; 8]));
                    if x & (ONES * 0x80) == 0 {
                        let w = ascii_word_mask(x);
                        let mut new = w & !((w << 1) | prev);
                        while new != 0 {
                            starts.push(i + new.trailing_zeros() as usize);
                            new &= new - 1;
                        }
                        prev = (w >> 7) & 1;
                        i += 8;
                        continue;
                    }
                }
            }
            let b = bytes[i];
            let class = self.byte_class[usize::from(b)];
            let word = if class & NON_ASCII == 0 {
                u32::from(class & WORD)
            } else if b < 0xC0 {
                // A continuation byte: the character's lead byte decided.
                i += 1;
                continue;
            } else {
                let c = text.get(i..).and_then(|s| s.chars().next());
                u32::from(c.is_some_and(is_word_char))
            };
            if word & !prev != 0 || class & OTHER_START != 0 {
                starts.push(i);
            }
            prev = word;
            i += 1;
        }
    }
}

/// The first bytes of every pattern, folded (`| 0x20` on each byte, which
/// maps ASCII upper case to lower case), in bit sets small enough to stay
/// in cache: most words are rejected here without running the automaton.
/// Patterns of four bytes or more are known by their first four bytes,
/// shorter ones by all their bytes; a position passes if its next bytes
/// could begin some pattern.
#[derive(Debug, Clone)]
pub(super) struct Prefixes {
    /// By pattern length 1, 2, 3, and 4 or more.
    sets: [Vec<u64>; 4],
    /// Whether a position with four bytes ahead must look in the set of
    /// that length too. A three-byte pattern ending in a letter or digit
    /// needs none: it is also in the four-byte set, followed by every
    /// byte that can follow it on a word boundary.
    also: [bool; 3],
}

impl Default for Prefixes {
    fn default() -> Self {
        Prefixes {
            sets: std::array::from_fn(|_| vec![0; PREFIX_BITS / 64]),
            also: [false; 3],
        }
    }
}

const PREFIX_BITS: usize = 1 << 16;

impl Prefixes {
    /// The folded little-endian key of up to four bytes.
    fn key(bytes: &[u8]) -> u32 {
        let mut key = 0;
        for (i, b) in bytes.iter().take(4).enumerate() {
            key |= u32::from(b | 0x20) << (8 * i);
        }
        key
    }

    fn bit(key: u32) -> usize {
        (key.wrapping_mul(0x9E37_79B1) >> 16) as usize
    }

    fn set(&mut self, len: usize, key: u32) {
        let bit = Self::bit(key);
        if let Some(w) = self.sets.get_mut(len).and_then(|s| s.get_mut(bit / 64)) {
            *w |= 1 << (bit % 64);
        }
    }

    pub(super) fn add(&mut self, pattern: &[u8]) {
        let Some(len) = pattern.len().checked_sub(1) else {
            return;
        };
        let len = len.min(3);
        self.set(len, Self::key(pattern));
        match (len, pattern.last()) {
            (3, _) => {}
            (2, Some(&last)) if ASCII_WORD.get(usize::from(last)) == Some(&true) => {
                // Not a letter, digit or `_`, or the lead byte of a
                // character that may be none.
                let next = (0u8..0x80)
                    .filter(|b| !ASCII_WORD[usize::from(*b)])
                    .chain(0xC0..=0xFF);
                for b in next {
                    self.set(3, Self::key(&[pattern[0], pattern[1], pattern[2], b]));
                }
            }
            (len, _) => self.also[len] = true,
        }
    }

    fn has(&self, len: usize, key: u32) -> bool {
        let bit = Self::bit(key);
        self.sets
            .get(len)
            .and_then(|s| s.get(bit / 64))
            .is_some_and(|w| w & (1 << (bit % 64)) != 0)
    }

    /// Whether some pattern may start at the beginning of `text`.
    #[inline]
    pub(super) fn may_start(&self, text: &[u8]) -> bool {
        if let Some(&[a, b, c, d]) = text.get(..4) {
            let key = u32::from_le_bytes([a, b, c, d]) | 0x2020_2020;
            return self.has(3, key)
                || (self.also[2] && self.has(2, key & 0x00FF_FFFF))
                || (self.also[1] && self.has(1, key & 0xFFFF))
                || (self.also[0] && self.has(0, key & 0xFF));
        }
        // Near the end of the text: every shorter length.
        let key = Self::key(text);
        (1..=text.len().min(3)).any(|n| self.has(n - 1, key & (u32::MAX >> (32 - 8 * n))))
    }
}

/// Byte classes: a letter, digit or `_`; part of a non-ASCII character;
/// the first byte of a pattern that starts with neither.
const WORD: u8 = 1;
const NON_ASCII: u8 = 2;
const OTHER_START: u8 = 4;

const ONES: u64 = 0x0101_0101_0101_0101;

/// 0x80 in each byte of `v` (all ASCII) that is in `lo..=hi`.
fn ascii_in_range(v: u64, lo: u8, hi: u8) -> u64 {
    let at_least_lo = v.wrapping_add(ONES * u64::from(0x80 - lo));
    let above_hi = v.wrapping_add(ONES * u64::from(0x7F - hi));
    at_least_lo & !above_hi & (ONES * 0x80)
}

/// Bit `i` set if byte `i` of `x` (eight ASCII bytes, little-endian) is a
/// letter, digit or `_`.
fn ascii_word_mask(x: u64) -> u32 {
    let folded = x | (ONES * 0x20);
    let w = ascii_in_range(folded, b'a', b'z')
        | ascii_in_range(x, b'0', b'9')
        | ascii_in_range(x, b'_', b'_');
    ((w >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32
}

/// Whether each ASCII byte is a letter, digit or `_`.
pub(in crate::classify) const ASCII_WORD: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    t
};

/// Whether the character starting at byte `i` is a word character, and
/// its length; `None` past the end.
pub(super) fn char_at(text: &str, i: usize) -> Option<(bool, usize)> {
    let b = *text.as_bytes().get(i)?;
    if b < 0x80 {
        return Some((ASCII_WORD[usize::from(b)], 1));
    }
    let c = text.get(i..)?.chars().next()?;
    Some((is_word_char(c), c.len_utf8()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Taxonomy;

    /// Word starts the slow, obvious way.
    fn naive_starts(text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        let mut prev = false;
        for (i, c) in text.char_indices() {
            let w = is_word_char(c);
            if w && !prev {
                out.push(i);
            }
            prev = w;
        }
        out
    }

    #[test]
    fn word_starts_eight_bytes_at_a_time_match_the_obvious_way() {
        let m = &Taxonomy::builtin().matcher;
        let pieces = [
            "a", "Bc", "_", " ", "-", "’", "é", "Ω", "9", "x.y", "“", "ĳ", "\u{301}", "\u{a0}",
            "AIRCOP", "  ", "z", "€", "日本",
        ];
        // A deterministic walk through many joins of the pieces.
        let mut seed: u64 = 1;
        let mut starts = Vec::new();
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..(seed % 40) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            m.word_starts.find(&text, &mut starts);
            assert_eq!(starts, naive_starts(&text), "{text:?}");
        }
    }

    #[test]
    fn ascii_word_mask_marks_letters_digits_and_underscores() {
        for b in 0u8..0x80 {
            let x = u64::from_le_bytes([b' ', b, b' ', b' ', b' ', b' ', b' ', b]);
            let expect = ASCII_WORD[usize::from(b)];
            assert_eq!(ascii_word_mask(x), if expect { 0x82 } else { 0 }, "{b:#x}");
        }
    }
}
