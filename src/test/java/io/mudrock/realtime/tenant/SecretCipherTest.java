package io.mudrock.realtime.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mudrock.realtime.tenant.SecretCipher.Outcome;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretCipherTest {

    private static final String SELF_HOST_KEY = "supabaserealtime";
    private static final String GCM_KEY = "12345678901234567890123456789012";
    private static final byte[] FIXED_IV = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};

    @ParameterizedTest
    @CsvSource({
            "1234567890123456, supabase_realtime, A5mS7ggkPXm0FaKKoZtrsYNlZA3qZxFe9XA9w2YYqgU=",
            "supabaserealtime, postgres, sWBpZNdjggEPTQVlI52Zfw==",
            "supabaserealtime, localhost, WduM1JTp+Ah9s/HVBIpbqg==",
            "supabaserealtime, 5432, +enMDFi1J/3IrrquHHwUmA=="})
    void legacyVectorsEncryptAndDecrypt(String key, String plaintext, String stored) {
        SecretCipher cipher = new SecretCipher(key, null);
        assertEquals(stored, cipher.encrypt(plaintext));
        assertEquals(new SecretCipher.Decryption(plaintext, Outcome.DECRYPTED_LEGACY), cipher.decrypt(stored));
    }

    @Test
    void gcmVectorWithFixedIv() {
        SecretCipher cipher = new SecretCipher(null, GCM_KEY, FIXED_IV::clone);
        String stored = "g1:AAECAwQFBgcICQoLhUBooliRKsv1PcCCWuNtRig7FG4Sef8Z";
        assertEquals(stored, cipher.encrypt("postgres"));
        assertEquals(new SecretCipher.Decryption("postgres", Outcome.DECRYPTED_GCM), cipher.decrypt(stored));
    }

    @Test
    void writesGcmOnlyWhenAGcmKeyIsConfigured() {
        assertFalse(new SecretCipher(SELF_HOST_KEY, null).writesGcm());
        SecretCipher both = new SecretCipher(SELF_HOST_KEY, GCM_KEY);
        assertTrue(both.writesGcm());
        String first = both.encrypt("a secret with ünïcode");
        String second = both.encrypt("a secret with ünïcode");
        assertTrue(first.startsWith("g1:"));
        assertNotEquals(first, second, "random IVs");
        assertEquals("a secret with ünïcode", both.decrypt(first).value());
        assertEquals("a secret with ünïcode", both.decrypt(second).value());
        // both formats coexist: a legacy row stays readable after GCM is switched on
        assertEquals(new SecretCipher.Decryption("postgres", Outcome.DECRYPTED_LEGACY),
                both.decrypt("sWBpZNdjggEPTQVlI52Zfw=="));
    }

    @Test
    void legacyRoundTripOfLongAndEmptyValues() {
        SecretCipher cipher = new SecretCipher(SELF_HOST_KEY, null);
        String longSecret = "super-secret-jwt-token-with-at-least-32-characters-long";
        assertEquals(longSecret, cipher.decrypt(cipher.encrypt(longSecret)).value());
        String sixteen = "exactly16bytes!!"; // a full block of padding is appended
        assertEquals(44, cipher.encrypt(sixteen).length());
        assertEquals(sixteen, cipher.decrypt(cipher.encrypt(sixteen)).value());
        assertEquals(Outcome.DECRYPTED_LEGACY, cipher.decrypt(cipher.encrypt("")).outcome());
    }

    @ParameterizedTest
    @CsvSource({"postgres", "localhost", "5432", "my plain secret", "abc=", "''"})
    void plaintextIsDetectedAndUsedAsItIs(String stored) {
        SecretCipher.Decryption d = new SecretCipher(SELF_HOST_KEY, null).decrypt(stored);
        assertEquals(Outcome.NOT_ENCRYPTED, d.outcome());
        assertEquals(stored, d.value());
    }

    @Test
    void base64LookingPlaintextIsReportedAsUndecryptableButUsed() {
        // the setup guide's GOTRUE_JWT_SECRET: 44 Base64 characters = two AES blocks
        String gotrue = "cAdtagpNtA1Wy9a7pbRS+QLb0LkxtBncXWkc//hPdPg=";
        SecretCipher.Decryption d = new SecretCipher(SELF_HOST_KEY, null).decrypt(gotrue);
        assertEquals(new SecretCipher.Decryption(gotrue, Outcome.UNDECRYPTABLE_LEGACY), d);
    }

    @Test
    void valueFromAnotherKeyIsNotMistakenForASecret() {
        SecretCipher.Decryption d = new SecretCipher(SELF_HOST_KEY, null)
                .decrypt("A5mS7ggkPXm0FaKKoZtrsYNlZA3qZxFe9XA9w2YYqgU=");
        assertEquals(Outcome.UNDECRYPTABLE_LEGACY, d.outcome());
    }

    @Test
    void legacyValueWithoutLegacyKeyIsUndecryptable() {
        SecretCipher gcmOnly = new SecretCipher(null, GCM_KEY);
        assertEquals(Outcome.UNDECRYPTABLE_LEGACY, gcmOnly.decrypt("sWBpZNdjggEPTQVlI52Zfw==").outcome());
    }

    @Test
    void damagedOrUnreadableGcmValuesAreRefused() {
        SecretCipher cipher = new SecretCipher(SELF_HOST_KEY, GCM_KEY, FIXED_IV::clone);
        String good = cipher.encrypt("postgres");
        byte[] raw = Base64.getDecoder().decode(good.substring(3));
        raw[raw.length - 1] ^= 1;
        String tampered = "g1:" + Base64.getEncoder().encodeToString(raw);
        for (String stored : new String[] {tampered, "g1:not base64!", "g1:AAECAwQF", "g1:"}) {
            SecretCipher.Decryption d = cipher.decrypt(stored);
            assertEquals(Outcome.UNDECRYPTABLE_GCM, d.outcome(), stored);
            assertNull(d.value(), stored);
        }
        assertEquals(Outcome.UNDECRYPTABLE_GCM, new SecretCipher(SELF_HOST_KEY, null).decrypt(good).outcome());
        assertEquals(Outcome.UNDECRYPTABLE_GCM,
                new SecretCipher(null, "abcdefghijklmnopqrstuvwxyz012345").decrypt(good).outcome());
    }

    @Test
    void keysMustHaveTheirExactLength() {
        assertThrows(IllegalArgumentException.class, () -> new SecretCipher("short", null));
        assertThrows(IllegalArgumentException.class, () -> new SecretCipher("supabaserealtime!", null));
        assertThrows(IllegalArgumentException.class, () -> new SecretCipher(null, "1234567890123456"));
        assertThrows(IllegalArgumentException.class, () -> new SecretCipher(null, ""));
        assertThrows(IllegalArgumentException.class, () -> new SecretCipher(null, null));
    }

    @Test
    void decryptionNeverPrintsTheValue() {
        String text = new SecretCipher(SELF_HOST_KEY, null).decrypt("sWBpZNdjggEPTQVlI52Zfw==").toString();
        assertFalse(text.contains("postgres"), text);
    }

    @Test
    void problemsNameTenantFieldAndFix() {
        SecretProblem plaintext = SecretProblem.of("91", "jwt_secret", Outcome.NOT_ENCRYPTED);
        assertTrue(plaintext.message().startsWith(
                "jwt_secret of tenant '91' is not encrypted with DB_ENC_KEY (it looks like plaintext)"),
                plaintext.message());
        assertTrue(plaintext.message().contains("re-save it through PUT /api/tenants/91 with the plaintext secret"));
        assertTrue(plaintext.valueUsed());

        SecretProblem gcm = SecretProblem.of("abc", "extensions.postgres_cdc_rls.db_password",
                Outcome.UNDECRYPTABLE_GCM);
        assertTrue(gcm.message().startsWith("db_password of the postgres_cdc_rls extension of tenant 'abc'"),
                gcm.message());
        assertTrue(gcm.message().contains("PUT /api/tenants/abc"));
        assertFalse(gcm.valueUsed());
        assertThrows(IllegalArgumentException.class,
                () -> SecretProblem.of("abc", "jwt_secret", Outcome.DECRYPTED_LEGACY));
    }
}
