//! N-API face of the Ethernet front end (riskgate_core::ethernet, spec §17): frames in
//! (each prefixed by its u32 LE length), the kept UDP payloads out, the counters kept.

use crate::{guard, Failure, Result, INVALID_ARG};
use napi::bindgen_prelude::{Buffer, BufferSlice};
use napi_derive::napi;
use riskgate_core::contract::eth;
use riskgate_core::ethernet::{EthFilter, EthernetReceiver as CoreReceiver};

/// The Ethernet/IPv4/UDP front end with its destination filter and drop counters.
#[napi]
pub struct EthernetReceiver {
    inner: CoreReceiver,
}

#[napi]
impl EthernetReceiver {
    /// `group`: the IPv4 group as a u32 (a.b.c.d = a·2^24 + b·2^16 + c·2^8 + d); `port`: the
    /// market-data UDP port; `order_port`: the order-entry port (spec §18.7; default the contract's).
    #[napi(constructor)]
    pub fn new(group: f64, port: u32, order_port: Option<u32>) -> Result<Self> {
        if !(group >= 0.0 && group <= f64::from(u32::MAX) && group.fract() == 0.0) {
            return Err(Failure::new(INVALID_ARG, format!("group must be an IPv4 address as a u32, got {group}")).into());
        }
        let port = u16::try_from(port).map_err(|_| Failure::new(INVALID_ARG, format!("port must be 0..65535, got {port}")))?;
        let order_port = u16::try_from(order_port.unwrap_or(u32::from(eth::DEFAULT_ORDER_PORT)))
            .map_err(|_| Failure::new(INVALID_ARG, format!("order port must be 0..65535, got {order_port:?}")))?;
        Ok(EthernetReceiver { inner: CoreReceiver::new(EthFilter { group: group as u32, port, order_port }) })
    }

    /// The kept payloads of `frames`, in order, each prefixed by its u32 LE length: MoldUDP64
    /// packets, and order-entry frames with bit 31 of the length set.
    #[napi]
    pub fn receive(&mut self, frames: BufferSlice) -> Result<Buffer> {
        let inner = &mut self.inner;
        let out = guard(|| {
            let mut out = Vec::with_capacity(frames.len());
            inner.receive_stream(&frames, &mut out).map_err(|m| Failure::new(INVALID_ARG, m))?;
            Ok(out)
        })?;
        Ok(out.into())
    }

    /// frames, accepted, the drops by code 1.., then order-entry frames kept (the card's ETH_*
    /// registers' order).
    #[napi]
    pub fn counters(&self) -> Vec<f64> {
        self.inner.counters.to_vec().into_iter().map(|v| v as f64).collect()
    }
}
