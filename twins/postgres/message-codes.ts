// Message type bytes and startup codes of the PostgreSQL frontend/backend protocol v3.
// @see https://www.postgresql.org/docs/current/protocol-message-formats.html

const code = (c: string): number => c.charCodeAt(0);

/** Messages a client (frontend) sends, by their type byte. */
export const FrontendCode = {
  Bind: code('B'),
  Close: code('C'),
  CopyData: code('d'),
  CopyDone: code('c'),
  CopyFail: code('f'),
  Describe: code('D'),
  Execute: code('E'),
  Flush: code('H'),
  FunctionCall: code('F'),
  Parse: code('P'),
  /** PasswordMessage, SASLInitialResponse and SASLResponse share this byte. */
  Password: code('p'),
  Query: code('Q'),
  Sync: code('S'),
  Terminate: code('X'),
} as const;

/** Messages the server (backend) sends, by their type byte. */
export const BackendCode = {
  Authentication: code('R'),
  BackendKeyData: code('K'),
  BindComplete: code('2'),
  CloseComplete: code('3'),
  CommandComplete: code('C'),
  CopyData: code('d'),
  CopyDone: code('c'),
  CopyInResponse: code('G'),
  CopyOutResponse: code('H'),
  CopyBothResponse: code('W'),
  DataRow: code('D'),
  EmptyQueryResponse: code('I'),
  ErrorResponse: code('E'),
  FunctionCallResponse: code('V'),
  NegotiateProtocolVersion: code('v'),
  NoData: code('n'),
  NoticeResponse: code('N'),
  NotificationResponse: code('A'),
  ParameterDescription: code('t'),
  ParameterStatus: code('S'),
  ParseComplete: code('1'),
  PortalSuspended: code('s'),
  ReadyForQuery: code('Z'),
  RowDescription: code('T'),
} as const;

/** The int32 that opens an untyped startup-phase packet. @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP */
export const StartupCode = {
  /** Protocol 3.0: major 3 in the high 16 bits, minor in the low. */
  Protocol30: 3 << 16,
  CancelRequest: 80877102,
  SSLRequest: 80877103,
  GSSENCRequest: 80877104,
} as const;

/** Authentication request subtypes (the int32 after 'R'). */
export const AuthCode = {
  Ok: 0,
  CleartextPassword: 3,
  MD5Password: 5,
  SASL: 10,
  SASLContinue: 11,
  SASLFinal: 12,
} as const;

/** ReadyForQuery transaction status. */
export const TxStatus = {
  Idle: code('I'),
  InTransaction: code('T'),
  Failed: code('E'),
} as const;

/** Frontend types accepted once a session is up; anything else is a protocol violation. */
export const SESSION_FRONTEND_CODES: ReadonlySet<number> = new Set(
  Object.values(FrontendCode).filter((c) => c !== FrontendCode.Password),
);

/** PostgreSQL's PQ_LARGE_MESSAGE_LIMIT: no message of a session may be larger. */
export const MAX_MESSAGE = 0x3fffffff;

/** Startup packets are small; PostgreSQL refuses ones over 10000 bytes (MAX_STARTUP_PACKET_LENGTH). */
export const MAX_STARTUP_PACKET = 10_000;
