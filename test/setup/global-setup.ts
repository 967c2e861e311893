/**
 * Says once, at the top of the run, whether the PostgreSQL suite runs. CI sets TRUCE_REQUIRE_POSTGRES=1 so a
 * missing TEST_DATABASE_URL fails the run instead of silently testing SQLite only.
 */
export default function globalSetup(): void {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    process.stdout.write(
      `\n[truce] PostgreSQL suite: running against ${url.replace(/\/\/[^@]*@/, '//')}\n`,
    );
    return;
  }
  if (process.env.TRUCE_REQUIRE_POSTGRES === '1') {
    throw new Error(
      'TRUCE_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set: the PostgreSQL suite would be skipped',
    );
  }
  process.stdout.write('\n[truce] PostgreSQL suite: SKIPPED (set TEST_DATABASE_URL to run it)\n');
}
