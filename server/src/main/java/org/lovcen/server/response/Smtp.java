package org.lovcen.server.response;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.lovcen.core.LovcenException;
import org.lovcen.server.ServeConfig;
import org.lovcen.server.Tls;

/*
 * How and why: notifications need one message to one relay, so a small client (RFC 5321) rather
 * than a mail library. EHLO, then, as configured, STARTTLS (RFC 3207: required, so that a relay or
 * a man in the middle that does not offer it makes the delivery fail rather than go out in clear)
 * or TLS from the first byte (RFC 8314), the relay's certificate checked against its name; then
 * AUTH PLAIN, else LOGIN (RFC 4954), never over a connection in clear; then one plain-text
 * message. A failure is an IOException naming the step and the relay's answer, never the
 * password; the caller retries.
 */
/** Sends notification e-mail through the configured relay. Immutable; thread-safe. */
final class Smtp {
  private static final int CONNECT_MILLIS = 10_000;
  private static final int READ_MILLIS = 15_000;

  private final String host;
  private final int port;
  private final String from;
  private final String tls;
  private final String user;
  private final String password;
  private final SSLContext context;

  private Smtp(ServeConfig.Notifications c, SSLContext context) {
    this.host = c.smtpHost();
    this.port = c.smtpPort();
    this.from = c.smtpFrom();
    this.tls = c.smtpTls() == null ? "none" : c.smtpTls().toLowerCase(Locale.ROOT);
    this.user = c.smtpUser() == null ? "" : c.smtpUser();
    this.password = c.smtpPassword() == null ? "" : c.smtpPassword();
    this.context = context;
  }

  /** The relay of the configuration; a setting that cannot work stops the start, naming its key. */
  static Smtp of(ServeConfig.Notifications c) {
    String tls = c.smtpTls() == null ? "none" : c.smtpTls().toLowerCase(Locale.ROOT);
    if (!List.of("none", "starttls", "tls").contains(tls)) {
      throw new LovcenException("notifications.smtp_tls: '" + c.smtpTls() + "' is not none, starttls or tls");
    }
    if (c.smtpUser() != null && !c.smtpUser().isBlank() && tls.equals("none")) {
      throw new LovcenException("notifications.smtp_user needs notifications.smtp_tls starttls or tls: "
          + "the password would cross the network in clear");
    }
    return new Smtp(c, tls.equals("none") ? null : context(c.smtpCa()));
  }

  private static SSLContext context(String caFile) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      if (caFile == null || caFile.isBlank()) {
        ctx.init(null, null, null); // the JDK's trust store
        return ctx;
      }
      Collection<? extends Certificate> certs;
      try (InputStream in = Files.newInputStream(Path.of(caFile))) {
        certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      }
      if (certs.isEmpty()) {
        throw new LovcenException("notifications.smtp_ca " + caFile + ": no certificate in it (PEM expected)");
      }
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate cert : certs) {
        trust.setCertificateEntry("ca-" + i++, cert);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (NoSuchFileException e) {
      throw new LovcenException("notifications.smtp_ca " + caFile + ": no such file");
    } catch (IOException | GeneralSecurityException e) {
      throw new LovcenException("notifications.smtp_ca " + caFile + ": " + e.getMessage());
    }
  }

  /** Sends one plain-text message to {@code to}; throws naming the step that failed. */
  void send(List<String> to, String subject, String text) throws IOException {
    if (host == null || host.isBlank()) {
      throw new IOException("notifications.smtp_host is not set");
    }
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress(host, port), CONNECT_MILLIS);
      plain.setSoTimeout(READ_MILLIS);
      Session s = new Session(tls.equals("tls") ? secure(plain) : plain);
      s.expect(220, "greeting");
      List<String> extensions = s.ehlo();
      if (tls.equals("starttls")) {
        if (!extensions.contains("STARTTLS")) {
          throw new IOException("SMTP: the relay does not offer STARTTLS (notifications.smtp_tls: starttls)");
        }
        s.command("STARTTLS", 220);
        s = new Session(secure(plain));
        extensions = s.ehlo();
      }
      if (!user.isBlank()) {
        s.authenticate(extensions, user, password);
      }
      s.command("MAIL FROM:<" + from + ">", 250);
      for (String r : to) {
        s.command("RCPT TO:<" + r + ">", 250);
      }
      s.command("DATA", 354);
      s.write(message(to, subject, text));
      s.command(".", 250);
      s.command("QUIT", 221);
    }
  }

  private SSLSocket secure(Socket plain) throws IOException {
    SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
    ssl.setSSLParameters(Tls.client(context));
    ssl.startHandshake();
    return ssl;
  }

  private String message(List<String> to, String subject, String text) {
    StringBuilder m = new StringBuilder();
    m.append("From: ").append(from).append("\r\nTo: ").append(String.join(", ", to)).append("\r\nSubject: ")
        .append(subject.replaceAll("[\r\n]+", " ")).append("\r\nMIME-Version: 1.0\r\n")
        .append("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
    for (String line : text.split("\r?\n")) {
      m.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
    }
    return m.toString();
  }

  /** One connection's conversation (plain, or after the TLS handshake). */
  private static final class Session {
    private final BufferedReader in;
    private final OutputStream out;

    Session(Socket socket) throws IOException {
      this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      this.out = socket.getOutputStream();
    }

    /** EHLO; the extensions the relay lists (upper case), or none after a plain HELO. */
    List<String> ehlo() throws IOException {
      write("EHLO lovcen\r\n");
      List<String> lines = reply();
      if (!lines.get(lines.size() - 1).startsWith("250")) {
        command("HELO lovcen", 250); // an old relay without ESMTP
        return List.of();
      }
      List<String> extensions = new ArrayList<>();
      for (int i = 1; i < lines.size(); i++) {
        extensions.add(lines.get(i).length() > 4 ? lines.get(i).substring(4).trim().toUpperCase(Locale.ROOT) : "");
      }
      return extensions;
    }

    /** AUTH PLAIN, else AUTH LOGIN: whichever the relay offers. */
    void authenticate(List<String> extensions, String user, String password) throws IOException {
      String offered = extensions.stream().filter(e -> e.startsWith("AUTH ") || e.startsWith("AUTH="))
          .map(e -> " " + e.substring(5) + " ").findFirst().orElse("");
      Base64.Encoder b64 = Base64.getEncoder();
      if (offered.contains(" PLAIN ")) {
        String credentials = "\0" + user + "\0" + password;
        command("AUTH PLAIN " + b64.encodeToString(credentials.getBytes(StandardCharsets.UTF_8)), 235, "AUTH PLAIN");
      } else if (offered.contains(" LOGIN ")) {
        command("AUTH LOGIN", 334);
        command(b64.encodeToString(user.getBytes(StandardCharsets.UTF_8)), 334, "AUTH LOGIN user");
        command(b64.encodeToString(password.getBytes(StandardCharsets.UTF_8)), 235, "AUTH LOGIN password");
      } else {
        throw new IOException("SMTP: the relay offers no AUTH PLAIN or LOGIN (it offers '" + offered.trim() + "')");
      }
    }

    void command(String line, int code) throws IOException {
      command(line, code, line);
    }

    /** Sends a command; {@code shown} names it in an error (never a credential). */
    void command(String line, int code, String shown) throws IOException {
      write(line + "\r\n");
      expect(code, shown);
    }

    void write(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    void expect(int code, String step) throws IOException {
      List<String> lines = reply();
      String last = lines.get(lines.size() - 1);
      if (!last.startsWith(Integer.toString(code))) {
        throw new IOException("SMTP " + step + ": expected " + code + ", got '" + last + "'");
      }
    }

    /** The lines of one reply (continuation lines have '-' after the code). */
    List<String> reply() throws IOException {
      List<String> lines = new ArrayList<>();
      String line;
      do {
        line = in.readLine();
        if (line == null) {
          throw new IOException("SMTP: the relay closed the connection");
        }
        lines.add(line);
      } while (line.length() > 3 && line.charAt(3) == '-');
      return lines;
    }
  }
}
