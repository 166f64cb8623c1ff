// An HTTP handler in JavaScript for `weft serve` tests and benchmarks: every request gets
// 200, `content-type: text/plain` and "Hello from JavaScript!\n" (see wit/http-hello.wit).
//
// It exports `incomingHandler` (wasi:http/incoming-handler@0.2.12) instead of using
// `addEventListener("fetch", ...)`: componentize-js 0.23's built-in fetch-event handler is
// hard-wired to wasi:http@0.2.10, and a world exporting @0.2.12 then fails to componentize
// ("failed to find export of interface `wasi:http/incoming-handler@0.2.12` function `handle`").
// Exporting `incomingHandler` makes componentize-js drop the built-in handler and export this
// one under the world's version.

import { Fields, OutgoingBody, OutgoingResponse, ResponseOutparam } from "wasi:http/types@0.2.12";

const encoder = new TextEncoder();
const BODY = encoder.encode("Hello from JavaScript!\n");
const CONTENT_TYPE = encoder.encode("text/plain");

export const incomingHandler = {
  handle(_request, responseOut) {
    const response = new OutgoingResponse(Fields.fromList([["content-type", CONTENT_TYPE]]));
    const body = response.body();
    ResponseOutparam.set(responseOut, { tag: "ok", val: response });
    const out = body.write();
    out.blockingWriteAndFlush(BODY);
    // The stream is a child of the body: it must be gone before the body is finished.
    out[Symbol.dispose]();
    OutgoingBody.finish(body, undefined);
  },
};
