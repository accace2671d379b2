//! Live allocations in the pprof format (`profile.proto`, gzip'ed), so `go tool pprof`,
//! Pyroscope and speedscope open what memwatch sampled. The message structs are written with
//! prost's derive (no protoc at build time) and cover the fields memwatch writes.

use std::collections::HashMap;
use std::io::Write;

use super::sites::{Frame, LiveAllocations};

#[derive(Clone, PartialEq, prost::Message)]
pub struct Profile {
    #[prost(message, repeated, tag = "1")]
    pub sample_type: Vec<ValueType>,
    #[prost(message, repeated, tag = "2")]
    pub sample: Vec<Sample>,
    #[prost(message, repeated, tag = "4")]
    pub location: Vec<Location>,
    #[prost(message, repeated, tag = "5")]
    pub function: Vec<Function>,
    #[prost(string, repeated, tag = "6")]
    pub string_table: Vec<String>,
    #[prost(int64, tag = "9")]
    pub time_nanos: i64,
    #[prost(message, optional, tag = "11")]
    pub period_type: Option<ValueType>,
    #[prost(int64, tag = "12")]
    pub period: i64,
    #[prost(int64, tag = "14")]
    pub default_sample_type: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ValueType {
    #[prost(int64, tag = "1")]
    pub r#type: i64,
    #[prost(int64, tag = "2")]
    pub unit: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Sample {
    #[prost(uint64, repeated, tag = "1")]
    pub location_id: Vec<u64>,
    #[prost(int64, repeated, tag = "2")]
    pub value: Vec<i64>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Location {
    #[prost(uint64, tag = "1")]
    pub id: u64,
    #[prost(message, repeated, tag = "4")]
    pub line: Vec<Line>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Line {
    #[prost(uint64, tag = "1")]
    pub function_id: u64,
    #[prost(int64, tag = "2")]
    pub line: i64,
    #[prost(int64, tag = "3")]
    pub column: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Function {
    #[prost(uint64, tag = "1")]
    pub id: u64,
    #[prost(int64, tag = "2")]
    pub name: i64,
    #[prost(int64, tag = "3")]
    pub system_name: i64,
    #[prost(int64, tag = "4")]
    pub filename: i64,
    #[prost(int64, tag = "5")]
    pub start_line: i64,
}

/// Interns strings, functions and locations while building a [`Profile`].
#[derive(Default)]
struct Builder {
    strings: Vec<String>,
    string_ids: HashMap<String, i64>,
    functions: Vec<Function>,
    function_ids: HashMap<(i64, i64, i64), u64>,
    locations: Vec<Location>,
    location_ids: HashMap<Frame, u64>,
}

impl Builder {
    fn new() -> Builder {
        let mut b = Builder::default();
        b.string(""); // string_table[0] must be ""
        b
    }

    fn string(&mut self, s: &str) -> i64 {
        if let Some(&id) = self.string_ids.get(s) {
            return id;
        }
        let id = self.strings.len() as i64;
        self.strings.push(s.to_owned());
        self.string_ids.insert(s.to_owned(), id);
        id
    }

    fn location(&mut self, frame: &Frame) -> u64 {
        if let Some(&id) = self.location_ids.get(frame) {
            return id;
        }
        let name = self.string(if frame.function.is_empty() { "(anonymous)" } else { &frame.function });
        let file = self.string(&frame.url);
        let start = i64::from(frame.line);
        let next_fn = self.functions.len() as u64 + 1;
        let function_id = *self.function_ids.entry((name, file, start)).or_insert(next_fn);
        if function_id == next_fn {
            self.functions.push(Function {
                id: function_id,
                name,
                system_name: name,
                filename: file,
                start_line: start,
            });
        }
        let id = self.locations.len() as u64 + 1;
        let line = Line { function_id, line: start, column: i64::from(frame.column) };
        self.locations.push(Location { id, line: vec![line] });
        self.location_ids.insert(frame.clone(), id);
        id
    }
}

/// Builds the pprof profile of live sampled allocations: sample types `objects/count` and
/// `space/bytes` (the second is the default, as in Go heap profiles' `inuse_space`).
pub fn to_pprof(live: &LiveAllocations, interval: u64, time_nanos: i64) -> Profile {
    let mut b = Builder::new();
    let objects = ValueType { r#type: b.string("objects"), unit: b.string("count") };
    let space = ValueType { r#type: b.string("space"), unit: b.string("bytes") };
    let samples = live
        .sites
        .iter()
        .map(|site| Sample {
            location_id: site.stack.iter().map(|f| b.location(f)).collect(),
            value: vec![site.samples as i64, i64::try_from(site.bytes).unwrap_or(i64::MAX)],
        })
        .collect();
    Profile {
        sample_type: vec![objects, space.clone()],
        sample: samples,
        location: b.locations,
        function: b.functions,
        string_table: b.strings,
        time_nanos,
        period_type: Some(space),
        period: i64::try_from(interval).unwrap_or(i64::MAX),
        default_sample_type: 1,
    }
}

/// Writes `profile` gzip'ed, the form pprof tools read.
pub fn write_gzipped(profile: &Profile, out: impl Write) -> std::io::Result<()> {
    let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    gz.write_all(&prost::Message::encode_to_vec(profile))?;
    gz.finish()?;
    Ok(())
}

/// Reads a gzip'ed pprof profile (for tests and tools that check what was written).
pub fn read_gzipped(bytes: &[u8]) -> Result<Profile, String> {
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut raw)
        .map_err(|e| format!("not gzip: {e}"))?;
    <Profile as prost::Message>::decode(raw.as_slice()).map_err(|e| format!("not a pprof profile: {e}"))
}
