//! The Python `socket` docs' CAN example (raw CAN socket on `vcan0`),
//! ported:
//!
//! ```python
//! can_frame_fmt = "=IB3x8s"
//! can_frame_size = struct.calcsize(can_frame_fmt)
//! def build_can_frame(can_id, data):
//!     can_dlc = len(data)
//!     data = data.ljust(8, b'\x00')
//!     return struct.pack(can_frame_fmt, can_id, can_dlc, data)
//! def dissect_can_frame(frame):
//!     can_id, can_dlc, data = struct.unpack(can_frame_fmt, frame)
//!     return (can_id, can_dlc, data[:can_dlc])
//! # create a raw socket and bind it to the 'vcan0' interface
//! s = socket.socket(socket.AF_CAN, socket.SOCK_RAW, socket.CAN_RAW)
//! s.bind(('vcan0',))
//! while True:
//!     cf, addr = s.recvfrom(can_frame_size)
//!     print('Received: can_id=%x, can_dlc=%x, data=%s' % dissect_can_frame(cf))
//!     try:
//!         s.send(cf)
//!     except OSError:
//!         print('Error sending CAN frame')
//!     try:
//!         s.send(build_can_frame(0x01, b'\x01\x02\x03'))
//!     except OSError:
//!         print('Error sending CAN frame')
//! ```
//!
//! Usage: `can_raw [INTERFACE [FRAMES]]` (default `vcan0`, and forever; a
//! count ends it after that many frames). Needs a policy granting the
//! `can` family and the interface visible. On a kernel without CAN it
//! fails at `socket()` with `OSError: [Errno 97] Address family not
//! supported by protocol`, as CPython does.

use std::process::ExitCode;
use wasock::{repr_bytes, socket, Address, AF_CAN, CAN_RAW, SOCK_RAW};
use wasock_examples::{arg, run};

const CAN_FRAME_SIZE: usize = 16;

fn build_can_frame(can_id: u32, data: &[u8]) -> Vec<u8> {
    let mut f = can_id.to_ne_bytes().to_vec();
    f.push(data.len() as u8);
    f.extend_from_slice(&[0; 3]);
    let mut d = data.to_vec();
    d.resize(8, 0);
    f.extend_from_slice(&d);
    f
}

fn dissect_can_frame(frame: &[u8]) -> (u32, u8, Vec<u8>) {
    let can_id = u32::from_ne_bytes([frame[0], frame[1], frame[2], frame[3]]);
    let dlc = frame[4];
    (can_id, dlc, frame[8..8 + usize::from(dlc).min(8)].to_vec())
}

fn main() -> ExitCode {
    let iface = arg(1, "vcan0");
    let frames: Option<usize> = std::env::args().nth(2).and_then(|n| n.parse().ok());
    run(|| {
        // create a raw socket and bind it to the interface
        let s = socket(AF_CAN, SOCK_RAW, CAN_RAW)?;
        s.bind(Address::can(&iface))?;
        let mut seen = 0;
        while frames.is_none_or(|n| seen < n) {
            let (cf, _addr) = s.recvfrom(CAN_FRAME_SIZE)?;
            seen += 1;
            let (id, dlc, data) = dissect_can_frame(&cf);
            println!(
                "Received: can_id={id:x}, can_dlc={dlc:x}, data={}",
                repr_bytes(&data)
            );
            if s.send(&cf).is_err() {
                println!("Error sending CAN frame");
            }
            if s.send(&build_can_frame(0x01, b"\x01\x02\x03")).is_err() {
                println!("Error sending CAN frame");
            }
        }
        Ok(())
    })
}
