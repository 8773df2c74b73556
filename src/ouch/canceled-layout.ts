/**
 * Order Canceled's byte offsets (from the contract), for the paths that read or write it in
 * place without the codec: the gateway's answer to a client (OuchGateway.canceledAt) and the
 * router's read of the venue's answer (OrderRouter.canceledBytes).
 */
import { OuchOutbound } from '../contract.ts';

const LAYOUT = OuchOutbound.ORDER_CANCELED;
export const CANCELED_CODE = LAYOUT.code;
export const CANCELED_SIZE = LAYOUT.size;
export const CANCELED_TIMESTAMP = LAYOUT.fields.timestamp.offset;
export const CANCELED_REF = LAYOUT.fields.userRefNum.offset;
export const CANCELED_QTY = LAYOUT.fields.quantity.offset;
export const CANCELED_REASON = LAYOUT.fields.reason.offset;
/** The reason bytes the gateway tells apart: 'I' (immediate or cancel), 'S' (supervisory), 'Z' (any other). */
export const I_BYTE = 0x49;
export const S_BYTE = 0x53;
export const Z_BYTE = 0x5a;
