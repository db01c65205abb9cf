package io.konnectreplay.operator.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Signs audit-log lines the way Konnect does and verifies them against a key or a JWKS document.
 *
 * <ul>
 *   <li>JSON: the compact object with {@code ,"sig":"<value>"} appended as the last key; the signature covers the
 *       exact bytes of the line without that member.</li>
 *   <li>CEF: the line with {@code " sig=<value>"} appended last; the signature covers the line without it.</li>
 *   <li>CPS: Konnect documents CPS only as "the same object wrapped as {@code {"event": {...}}}". We sign the inner
 *       object exactly as for JSON (sig is the inner object's last key) and then wrap it, so the inner object of a CPS
 *       line verifies like a JSON line. This is our reading, not documented behaviour.</li>
 * </ul>
 *
 * The signature is Ed25519, encoded base64url without padding (86 characters). The key id is the SHA-1 (40 hex
 * characters) of the raw 32-byte public key; Konnect's kid looks like a SHA-1 but what it hashes is undocumented.
 */
public final class AuditLogSigner {

  /** The line formats of a webhook ({@code log_format}). */
  public enum Format {
    CEF, JSON, CPS;

    /** Parses {@code cef}, {@code json} or {@code cps} (any case); null means Konnect's default, cef. */
    public static Format of(String logFormat) {
      if (logFormat == null || logFormat.isBlank()) {
        return CEF;
      }
      try {
        return valueOf(logFormat.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown log format '" + logFormat + "' (expected cef, json or cps)", e);
      }
    }

    public String wireName() { return name().toLowerCase(Locale.ROOT); }
  }

  static final String CPS_PREFIX = "{\"event\":";
  private static final String JSON_SIG = ",\"sig\":\"";
  private static final String CEF_SIG = " sig=";
  /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (OID 1.3.101.112); the raw 32-byte key follows. */
  private static final byte[] X509_ED25519_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final KeyPair keyPair;
  private final byte[] rawPublicKey;
  private final String kid;

  private AuditLogSigner(KeyPair keyPair) {
    this.keyPair = keyPair;
    this.rawPublicKey = rawKey(keyPair.getPublic());
    this.kid = HexFormat.of().formatHex(sha1(rawPublicKey));
  }

  /** A signer with a fresh random key. */
  public static AuditLogSigner generate() {
    return fromKeyPair(newKeyPair(new SecureRandom()));
  }

  /** A signer whose key is derived from a 32-byte seed (the Ed25519 private key), for repeatable tests. */
  public static AuditLogSigner fromSeed(byte[] seed) {
    if (seed == null || seed.length != 32) {
      throw new IllegalArgumentException("an Ed25519 seed has 32 bytes");
    }
    byte[] copy = seed.clone();
    SecureRandom fixed = new SecureRandom() {
      @Override
      public void nextBytes(byte[] bytes) {
        // The JDK's Ed25519 generator asks for exactly the 32 private-key bytes.
        System.arraycopy(copy, 0, bytes, 0, Math.min(bytes.length, copy.length));
      }
    };
    return fromKeyPair(newKeyPair(fixed));
  }

  /** A signer whose seed is the SHA-256 of {@code seed}: the same number gives the same key. */
  public static AuditLogSigner fromSeed(long seed) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(Long.toString(seed).getBytes(StandardCharsets.US_ASCII));
      return fromSeed(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static AuditLogSigner fromKeyPair(KeyPair keyPair) {
    Objects.requireNonNull(keyPair, "keyPair");
    if (!"EdDSA".equals(keyPair.getPublic().getAlgorithm()) && !"Ed25519".equals(keyPair.getPublic().getAlgorithm())) {
      throw new IllegalArgumentException("not an Ed25519 key: " + keyPair.getPublic().getAlgorithm());
    }
    return new AuditLogSigner(keyPair);
  }

  private static KeyPair newKeyPair(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
      generator.initialize(NamedParameterSpec.ED25519, random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is not available in this JDK", e);
    }
  }

  public PublicKey publicKey() { return keyPair.getPublic(); }

  /** The key id: 40 lowercase hex characters, the SHA-1 of the raw public key. */
  public String kid() { return kid; }

  /** The JWKS document Konnect serves at {@code /v2/audit-log-webhook/jwks.json}, compact. */
  public String jwksJson() {
    ObjectNode key = MAPPER.createObjectNode();
    key.put("kty", "OKP");
    key.put("alg", "EdDSA");
    key.put("kid", kid);
    key.put("crv", "Ed25519");
    key.put("x", Base64.getUrlEncoder().withoutPadding().encodeToString(rawPublicKey));
    ObjectNode doc = MAPPER.createObjectNode();
    doc.putArray("keys").add(key);
    return doc.toString();
  }

  /** Signs {@code unsigned} (a line without sig) in {@code format} (cef, json, cps) and returns the line to send. */
  public String signLine(String unsigned, String format) {
    return signLine(unsigned, Format.of(format));
  }

  /**
   * Signs a line. For JSON the input is a compact object without sig. For CPS the input is that same unsigned JSON
   * object (or already wrapped as {@code {"event":{…}}}, which is unwrapped first); the result is the signed object
   * wrapped. For CEF the input is the line without sig.
   */
  public String signLine(String unsigned, Format format) {
    Objects.requireNonNull(unsigned, "unsigned");
    if (unsigned.indexOf('\n') >= 0 || unsigned.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("a line cannot contain a line break");
    }
    switch (format) {
      case CEF:
        return unsigned + CEF_SIG + sign(unsigned);
      case JSON:
        return signJson(unsigned);
      case CPS:
        String inner = unsigned.startsWith(CPS_PREFIX) ? unwrapCps(unsigned) : unsigned;
        return CPS_PREFIX + signJson(inner) + "}";
      default:
        throw new IllegalArgumentException("format " + format);
    }
  }

  private String signJson(String unsigned) {
    if (!unsigned.startsWith("{") || !unsigned.endsWith("}")) {
      throw new IllegalArgumentException("not a compact JSON object: " + abbreviate(unsigned));
    }
    String sig = sign(unsigned);
    // An empty object takes sig without a leading comma; Konnect events are never empty.
    String separator = unsigned.length() == 2 ? JSON_SIG.substring(1) : JSON_SIG;
    return unsigned.substring(0, unsigned.length() - 1) + separator + sig + "\"}";
  }

  private String sign(String unsigned) {
    try {
      Signature signature = Signature.getInstance("Ed25519");
      signature.initSign((PrivateKey) keyPair.getPrivate());
      signature.update(unsigned.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing failed", e);
    }
  }

  // ---- verification ------------------------------------------------------------------------------------------

  /** A signed line taken apart: the bytes that were signed, and the sig value (null when the line has none). */
  record SignedParts(String signedText, String sig) {}

  /**
   * Removes sig exactly as the docs say: for JSON the {@code ,"sig":"<value>"} member (the last one in the line), for
   * CEF the {@code " sig=<value>"} at the end, for CPS the JSON rule applied to the inner object.
   */
  static SignedParts split(String line) {
    Format format = AuditLogLine.detectFormat(line);
    if (format == Format.CEF) {
      int at = line.lastIndexOf(CEF_SIG);
      if (at < 0) {
        return new SignedParts(line, null);
      }
      return new SignedParts(line.substring(0, at), line.substring(at + CEF_SIG.length()));
    }
    String object = format == Format.CPS ? unwrapCps(line) : line;
    int at = object.lastIndexOf(JSON_SIG);
    if (at < 0) {
      return new SignedParts(object, null);
    }
    int valueStart = at + JSON_SIG.length();
    int valueEnd = object.indexOf('"', valueStart);
    if (valueEnd < 0) {
      return new SignedParts(object, null);
    }
    // Inside a JSON string every quote is escaped, so an unescaped ,"sig":" is always a member of the object.
    String signed = object.substring(0, at) + object.substring(valueEnd + 1);
    return new SignedParts(signed, object.substring(valueStart, valueEnd));
  }

  static String unwrapCps(String line) {
    if (!line.startsWith(CPS_PREFIX) || !line.endsWith("}")) {
      throw new IllegalArgumentException("not a CPS line: " + abbreviate(line));
    }
    return line.substring(CPS_PREFIX.length(), line.length() - 1).trim();
  }

  /** Whether {@code line} carries a sig that {@code key} verifies. False for a missing or malformed sig. */
  public static boolean verifyLine(String line, PublicKey key) {
    return verifyLine(line, List.of(key));
  }

  /** Whether {@code line} carries a sig that one of the keys of the JWKS document verifies. */
  public static boolean verifyLine(String line, String jwksJson) {
    return verifyLine(line, publicKeysFromJwks(jwksJson));
  }

  /** Whether {@code line} carries a sig that one of {@code keys} verifies. */
  public static boolean verifyLine(String line, List<PublicKey> keys) {
    if (line == null || line.isEmpty()) {
      return false;
    }
    SignedParts parts;
    try {
      parts = split(line);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (parts.sig() == null || parts.sig().length() != 86) {
      return false;
    }
    byte[] sig;
    try {
      sig = Base64.getUrlDecoder().decode(parts.sig());
    } catch (IllegalArgumentException e) {
      return false;
    }
    // 86 characters carry 516 bits for 512: refuse a sig whose unused bits were changed (not canonical).
    if (sig.length != 64 || !Base64.getUrlEncoder().withoutPadding().encodeToString(sig).equals(parts.sig())) {
      return false;
    }
    byte[] signed = parts.signedText().getBytes(StandardCharsets.UTF_8);
    for (PublicKey key : keys) {
      try {
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(key);
        verifier.update(signed);
        if (verifier.verify(sig)) {
          return true;
        }
      } catch (GeneralSecurityException e) {
        // A malformed signature or a key of another type: not verified by this key.
      }
    }
    return false;
  }

  // ---- keys and JWKS -----------------------------------------------------------------------------------------

  /** The Ed25519 keys ({@code kty} OKP, {@code crv} Ed25519) of a JWKS document; other keys are skipped. */
  public static List<PublicKey> publicKeysFromJwks(String jwksJson) {
    JsonNode doc;
    try {
      doc = MAPPER.readTree(jwksJson);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a JWKS document: " + e.getMessage(), e);
    }
    JsonNode keys = doc == null ? null : doc.get("keys");
    if (!(keys instanceof ArrayNode)) {
      throw new IllegalArgumentException("not a JWKS document: no \"keys\" array");
    }
    List<PublicKey> result = new ArrayList<>();
    for (JsonNode key : keys) {
      if ("OKP".equals(key.path("kty").asText()) && "Ed25519".equals(key.path("crv").asText())
          && key.hasNonNull("x")) {
        result.add(publicKeyFromRaw(Base64.getUrlDecoder().decode(key.get("x").asText())));
      }
    }
    return List.copyOf(result);
  }

  /** The first Ed25519 key of a JWKS document. */
  public static PublicKey publicKeyFromJwks(String jwksJson) {
    List<PublicKey> keys = publicKeysFromJwks(jwksJson);
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("the JWKS document has no Ed25519 key");
    }
    return keys.get(0);
  }

  /** An Ed25519 public key from its raw 32 bytes (the JWK {@code x}), through its X.509 encoding. */
  public static PublicKey publicKeyFromRaw(byte[] raw) {
    if (raw == null || raw.length != 32) {
      throw new IllegalArgumentException("a raw Ed25519 public key has 32 bytes");
    }
    byte[] encoded = Arrays.copyOf(X509_ED25519_PREFIX, X509_ED25519_PREFIX.length + raw.length);
    System.arraycopy(raw, 0, encoded, X509_ED25519_PREFIX.length, raw.length);
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 public key", e);
    }
  }

  /** The raw 32 bytes of an Ed25519 public key (the tail of its X.509 encoding). */
  public static byte[] rawKey(PublicKey key) {
    byte[] encoded = key.getEncoded();
    if (encoded.length != X509_ED25519_PREFIX.length + 32
        || !Arrays.equals(encoded, 0, X509_ED25519_PREFIX.length, X509_ED25519_PREFIX, 0, X509_ED25519_PREFIX.length)) {
      throw new IllegalArgumentException("not an Ed25519 public key");
    }
    return Arrays.copyOfRange(encoded, X509_ED25519_PREFIX.length, encoded.length);
  }

  private static byte[] sha1(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }
}
