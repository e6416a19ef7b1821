package io.mudrock.realtime.admin;

/**
 * One row of the setup doctor's report.
 *
 * @param check  what was checked, for example {@code wal_level}
 * @param status {@code ok}, {@code warn} or {@code fail}
 * @param found  what the doctor found
 * @param fix    the one-line fix (usually SQL), empty when nothing is to be done
 */
public record DoctorFinding(String check, Status status, String found, String fix) {

    /** The verdict of one check. */
    public enum Status {
        /** Nothing to do. */
        ok,
        /** Works, but probably not as intended. */
        warn,
        /** Realtime cannot work like this. */
        fail
    }

    static DoctorFinding ok(String check, String found) {
        return new DoctorFinding(check, Status.ok, found, "");
    }

    static DoctorFinding warn(String check, String found, String fix) {
        return new DoctorFinding(check, Status.warn, found, fix);
    }

    static DoctorFinding fail(String check, String found, String fix) {
        return new DoctorFinding(check, Status.fail, found, fix);
    }
}
