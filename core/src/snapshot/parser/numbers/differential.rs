//! Differential tests: every scan kernel (the byte loop alone, and 64-byte windows classified by
//! SWAR, SSE2 and AVX2) gives the same values, records, end and errors (byte and message) on
//! random V8-like arrays with adversarial bytes mixed in, cut into chunks anywhere; and whole
//! snapshots parse to the same graph or the same located error.

use super::{IntArray, IntSink, ScanKernel};
use crate::snapshot::{transfer, ParseError, ParseOptions, SnapshotParser};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, per_million: u64) -> bool {
        self.below(1_000_000) < per_million
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Separators V8 does not write, or that are errors.
const ODD_SEPARATORS: &[&str] = &[
    " ,", ", ", "\r\n,", "\t,", ",\n", "\n\n,", ",,", "\n", " ", "", "\r,", ",\t", " \n ,", "x", "-", ".5,", "e3,",
    "]", ",]", "\0", "\u{80}", "\u{ff},", ":", "/", "[", "\n,\n,", "1e", "+1,",
];

/// Odd numbers: more than 16 digits, around 2^32 and 2^64, leading zeros, signs.
const ODD_NUMBERS: &[&str] = &[
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999",
    "0000000000000000000000000000001",
    "00000000000000000018446744073709551615",
    "12345678901234567",
    "1234567890123456",
    "9999999999999999",
    "10000000000000000",
    "007",
    "-5",
    "1.5",
    "2e3",
];

fn number(rng: &mut Rng) -> String {
    if rng.chance(20_000) {
        return rng.pick(ODD_NUMBERS).to_string();
    }
    let digits = match rng.below(100) {
        0..=79 => 1 + rng.below(8),
        80..=94 => 9 + rng.below(8),
        _ => 17 + rng.below(4),
    };
    let mut s = String::new();
    for k in 0..digits {
        let d = if k == 0 && digits > 1 { 1 + rng.below(9) } else { rng.below(10) };
        s.push(char::from(b'0' + d as u8));
    }
    s
}

/// `[v,v\n,v,...]` with `values` values; `odd` per million separators are odd ones.
fn array(rng: &mut Rng, values: usize, odd: u64) -> Vec<u8> {
    let mut s = String::from("[");
    for k in 0..values {
        if k > 0 {
            if rng.chance(odd) {
                let odd: &&str = rng.pick(ODD_SEPARATORS);
                s.push_str(odd);
            } else if rng.chance(300_000) {
                s.push_str("\n,");
            } else {
                s.push(',');
            }
        }
        s.push_str(&number(rng));
    }
    s.push(']');
    let mut bytes = s.into_bytes();
    // Raw bytes that are not UTF-8 text, too.
    if rng.chance(odd) {
        let at = rng.below(bytes.len() as u64) as usize;
        bytes[at] = rng.below(256) as u8;
    }
    bytes
}

/// Chunk ends: the whole, random cuts (some closer than a window, some far apart), and every
/// cut near a few positions.
fn chunkings(rng: &mut Rng, len: usize) -> Vec<Vec<usize>> {
    let mut out = vec![vec![]];
    for spacing in [7u64, 90, 300, 5000] {
        let mut cuts = Vec::new();
        let mut at = 0usize;
        loop {
            at += 1 + rng.below(spacing) as usize;
            if at >= len {
                break;
            }
            cuts.push(at);
        }
        out.push(cuts);
    }
    for _ in 0..4 {
        out.push(vec![rng.below(len as u64) as usize]);
    }
    out
}

/// Records of `fields` values; a record whose first value ends in 999 is refused (as a
/// column sink refuses a bad type index), so sink errors come from every path too.
struct Records {
    fields: usize,
    values: Vec<u64>,
    ended: Option<usize>,
}

impl IntSink for Records {
    fn fields(&self) -> usize {
        self.fields
    }

    fn record(&mut self, rec: &[u64]) -> Result<(), String> {
        if rec[0] % 1000 == 999 {
            return Err(format!("record {} refused", self.values.len() / self.fields));
        }
        self.values.extend_from_slice(rec);
        Ok(())
    }

    fn end(&mut self, partial: usize) {
        self.ended = Some(partial);
    }
}

type Outcome = Result<(Vec<u64>, Option<usize>, usize), (usize, String)>;

fn scan(kernel: ScanKernel, text: &[u8], cuts: &[usize], fields: usize) -> Outcome {
    let mut arr = ScanKernel::force(kernel, IntArray::new);
    assert_eq!(arr.kernel, kernel);
    let mut sink = Records { fields, values: Vec::new(), ended: None };
    let mut start = 0;
    for &end in cuts.iter().chain([text.len()].iter()) {
        match arr.feed(&text[start..end], &mut sink) {
            Ok(Some(n)) => return Ok((sink.values, sink.ended, start + n)),
            Ok(None) => {}
            Err(f) => return Err((start + f.at, f.message)),
        }
        start = end;
    }
    Err((text.len(), "unfinished".into()))
}

#[test]
fn kernels_agree_on_random_arrays() {
    let kernels = ScanKernel::available();
    assert!(kernels.len() >= 2, "{kernels:?}");
    #[cfg(target_arch = "x86_64")]
    assert!(kernels.contains(&ScanKernel::Sse2));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut errors = 0;
    for case in 0..400 {
        let values = 1 + rng.below(if case % 4 == 0 { 3000 } else { 300 }) as usize;
        let odd = *rng.pick(&[0, 0, 100, 2_000, 20_000, 200_000]);
        let text = array(&mut rng, values, odd);
        let fields = *rng.pick(&[1, 3, 7]);
        for cuts in chunkings(&mut rng, text.len()) {
            let want = scan(ScanKernel::Bytes, &text, &cuts, fields);
            errors += usize::from(want.is_err());
            for &k in &kernels[1..] {
                let got = scan(k, &text, &cuts, fields);
                assert_eq!(got, want, "{k:?} on {:?} cut at {cuts:?}", String::from_utf8_lossy(&text));
            }
        }
    }
    // Both outcomes were exercised.
    assert!(errors > 200, "{errors} errors");
}

/// Each position of a window holds each kind of irregularity once: the byte loop takes over at
/// exactly the right value wherever it is.
#[test]
fn kernels_agree_with_an_odd_byte_at_every_offset() {
    let base: String = (0..60).map(|k| format!("{}{}", k * 37 % 1000, if k % 7 == 6 { "\n," } else { "," })).collect();
    let base = format!("[{base}5]");
    for odd in ODD_SEPARATORS.iter().chain(ODD_NUMBERS) {
        for at in 1..base.len() - 1 {
            let mut text = base.as_bytes()[..at].to_vec();
            text.extend_from_slice(odd.as_bytes());
            text.extend_from_slice(&base.as_bytes()[at..]);
            let want = scan(ScanKernel::Bytes, &text, &[], 7);
            for k in ScanKernel::available() {
                assert_eq!(scan(k, &text, &[], 7), want, "{k:?} on {:?}", String::from_utf8_lossy(&text));
            }
        }
    }
}

const HEADER: &str = r#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"location_fields":["object_index","script_id","line","column"]},"node_count":NODES,"edge_count":EDGES},"#;

/// A random V8-like snapshot: `nodes` nodes with 0-4 edges each, 50 strings; `odd` per
/// million of its integers replaced by an odd number or followed by an odd separator.
fn snapshot(rng: &mut Rng, nodes: usize, odd: u64) -> Vec<u8> {
    let mut counts: Vec<u64> = (0..nodes).map(|_| rng.below(5)).collect();
    if rng.chance(odd.saturating_mul(50)) {
        // Edge counts adding up past 2^64.
        counts[0] = u64::MAX;
    }
    let edges: u64 = counts.iter().fold(0u64, |a, &c| a.wrapping_add(c));
    let mut out = HEADER.replace("NODES", &nodes.to_string()).replace("EDGES", &edges.to_string()).into_bytes();
    let int = |rng: &mut Rng, v: u64| {
        if rng.chance(odd) {
            rng.pick(ODD_NUMBERS).to_string()
        } else {
            v.to_string()
        }
    };
    let sep = |rng: &mut Rng, last: bool| -> String {
        if rng.chance(odd) {
            rng.pick(ODD_SEPARATORS).to_string()
        } else if last {
            "\n,".into()
        } else {
            ",".into()
        }
    };
    let mut nodes_text = String::from("\"nodes\":[");
    for (k, &c) in counts.iter().enumerate() {
        let rec = [rng.below(15), rng.below(50), 2 * k as u64 + 1, rng.below(100_000), c, 0, rng.below(3)];
        for (f, &v) in rec.iter().enumerate() {
            nodes_text.push_str(&int(rng, v));
            if f < 6 {
                nodes_text.push_str(&sep(rng, false));
            }
        }
        if k + 1 < nodes {
            nodes_text.push_str(&sep(rng, true));
        }
    }
    nodes_text.push_str("],\n\"edges\":[");
    let total = counts.iter().map(|&c| c.min(4)).sum::<u64>();
    for e in 0..total {
        let rec = [rng.below(7), rng.below(50), 7 * rng.below(nodes as u64)];
        for (f, &v) in rec.iter().enumerate() {
            nodes_text.push_str(&int(rng, v));
            if f < 2 {
                nodes_text.push_str(&sep(rng, false));
            }
        }
        if e + 1 < total {
            nodes_text.push_str(&sep(rng, true));
        }
    }
    nodes_text.push_str("],\n\"locations\":[1,2,3,4\n,0,5,6,7],\n\"strings\":[");
    let strings: Vec<String> = (0..50).map(|k| format!("\"s{k}\"")).collect();
    nodes_text.push_str(&strings.join(",\n"));
    nodes_text.push_str("]}\n");
    out.extend_from_slice(nodes_text.as_bytes());
    out
}

fn parse(kernel: ScanKernel, bytes: &[u8], cuts: &[usize], opts: &ParseOptions) -> Result<Vec<u8>, ParseError> {
    ScanKernel::force(kernel, || {
        let mut p = SnapshotParser::with_options(opts.clone());
        let mut start = 0;
        for &end in cuts.iter().chain([bytes.len()].iter()) {
            p.push(&bytes[start..end])?;
            start = end;
        }
        p.finish().map(|s| transfer::encode(&s))
    })
}

#[test]
fn kernels_agree_on_whole_snapshots() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let (mut ok, mut failed) = (0, 0);
    for case in 0..120 {
        let nodes = 1 + rng.below(if case % 3 == 0 { 2000 } else { 200 }) as usize;
        let odd = *rng.pick(&[0, 0, 0, 50, 500, 5_000]);
        let bytes = snapshot(&mut rng, nodes, odd);
        let opts = ParseOptions { size_hint: None, edge_details: rng.chance(500_000) };
        for cuts in chunkings(&mut rng, bytes.len()) {
            let want = parse(ScanKernel::Bytes, &bytes, &cuts, &opts);
            match &want {
                Ok(_) => ok += 1,
                Err(_) => failed += 1,
            }
            for k in ScanKernel::available() {
                let got = parse(k, &bytes, &cuts, &opts);
                assert!(got == want, "{k:?} cut at {cuts:?}: {:?} vs {:?}", got.as_ref().err(), want.as_ref().err());
            }
        }
    }
    assert!(ok > 100 && failed > 100, "{ok} parsed, {failed} failed");
}
