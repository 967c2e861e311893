/**
 * A report request the domain core cannot answer (a malformed period, `from` after `to`, a mismatched split).
 * The service translates it to a 400 with the same code and message.
 */
export class ReportInputError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReportInputError';
  }
}
