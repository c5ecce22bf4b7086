//! Arrow IPC bytes (the stream or the file format) read into record batches, the
//! lengths they announce checked against the bytes first: the readers allocate
//! what a message announces, and panic on some damaged messages, so damaged bytes
//! are refused (`ANALYTICS_BAD_ARROW`) rather than believed.

use std::io::Cursor;

use arrow_array::RecordBatch;
use arrow_ipc::reader::{FileReader, StreamReader};
use arrow_schema::SchemaRef;
use ichigen::{Error, Issue};

/// The magic bytes that open an Arrow IPC file.
const FILE_MAGIC: &[u8] = b"ARROW1";

fn unreadable_ipc(path: &str) -> Error {
    Error::InvalidAnalytics(vec![Issue::new(
        "ANALYTICS_BAD_ARROW",
        path,
        "not readable as Arrow IPC (the stream or the file format)",
    )])
}

/// A little-endian `i32` at `at`, if the bytes hold one there.
fn word(bytes: &[u8], at: usize) -> Option<i64> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])))
}

/// `start + len` when it stays within `limit`.
fn within(start: usize, len: i64, limit: usize) -> Option<usize> {
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    (end <= limit).then_some(end)
}

/// Whether every message of a stream (from `at`) lies within the bytes: the
/// readers allocate what a message announces, so a length is checked before it
/// is believed.
fn stream_fits(bytes: &[u8], mut at: usize) -> bool {
    loop {
        let Some(first) = word(bytes, at) else {
            // The end of the bytes ends the stream too.
            return at == bytes.len();
        };
        let (len, start) = if first == -1 {
            match word(bytes, at + 4) {
                Some(len) => (len, at + 8),
                None => return false,
            }
        } else {
            (first, at + 4)
        };
        if len == 0 {
            return true;
        }
        let Some(end) = within(start, len, bytes.len()) else {
            return false;
        };
        let Ok(message) = arrow_ipc::root_as_message(&bytes[start..end]) else {
            return false;
        };
        match within(end, message.bodyLength(), bytes.len()) {
            Some(next) => at = next,
            None => return false,
        }
    }
}

/// Whether the footer of a file and the blocks it lists lie within the bytes.
fn file_fits(bytes: &[u8]) -> bool {
    let n = bytes.len();
    if n < 2 * FILE_MAGIC.len() + 6 || !bytes.ends_with(FILE_MAGIC) {
        return false;
    }
    let tail = n - FILE_MAGIC.len() - 4;
    let Some(footer_len) = word(bytes, tail) else {
        return false;
    };
    let Some(footer_start) = usize::try_from(footer_len)
        .ok()
        .and_then(|len| tail.checked_sub(len))
        .filter(|&start| start >= FILE_MAGIC.len())
    else {
        return false;
    };
    let Ok(footer) = arrow_ipc::root_as_footer(&bytes[footer_start..tail]) else {
        return false;
    };
    let blocks = footer
        .dictionaries()
        .into_iter()
        .flatten()
        .chain(footer.recordBatches().into_iter().flatten());
    for block in blocks {
        let fits = usize::try_from(block.offset())
            .ok()
            .and_then(|start| within(start, i64::from(block.metaDataLength()), footer_start))
            .and_then(|end| within(end, block.bodyLength(), footer_start));
        if fits.is_none() {
            return false;
        }
    }
    true
}

/// The schema and the record batches of IPC bytes; `path` names the argument.
pub(super) fn read_ipc(bytes: &[u8], path: &str) -> Result<(SchemaRef, Vec<RecordBatch>), Error> {
    let file = bytes.starts_with(FILE_MAGIC);
    let fits = if file {
        file_fits(bytes)
    } else {
        stream_fits(bytes, 0)
    };
    if !fits {
        return Err(unreadable_ipc(path));
    }
    let read = || -> Result<(SchemaRef, Vec<RecordBatch>), arrow_schema::ArrowError> {
        if file {
            let reader = FileReader::try_new(Cursor::new(bytes), None)?;
            let schema = reader.schema();
            Ok((schema, reader.collect::<Result<Vec<_>, _>>()?))
        } else {
            let reader = StreamReader::try_new(Cursor::new(bytes), None)?;
            let schema = reader.schema();
            Ok((schema, reader.collect::<Result<Vec<_>, _>>()?))
        }
    };
    // A reader that panics on malformed bytes is a refusal, not a crash.
    match std::panic::catch_unwind(read) {
        Ok(Ok(read)) => Ok(read),
        _ => Err(unreadable_ipc(path)),
    }
}
