package io.mudrock.realtime.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code DEMO_PAGE=false} and {@code INSPECTOR=false}: both pages, their files and their endpoints
 * are gone; the server is not. One deployment for both, since each server start costs verify time.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class WellsPageOffIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.realtimeWith(Map.of("DEMO_PAGE", "false", "INSPECTOR", "false"));
    }

    @Test
    void everyPartOfThePageAnswers404() throws Exception {
        Await.until("/health/ready UP", Duration.ofSeconds(60), () -> TestServer.get("/health/ready").statusCode() == 200);
        HttpResponse<String> root = TestServer.get("/");
        assertEquals(404, root.statusCode());
        assertTrue(root.body().contains("DEMO_PAGE=false"), "says why: " + root.body());
        for (String path : List.of("/index.html", "/assets/wells-page.js", "/assets/wells-page.css", "/api/demo/config",
                "/api/demo/wells", "/realtime/v1/api/demo/config")) {
            assertEquals(404, TestServer.get(path).statusCode(), path);
        }
        HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(TestServer.baseUrl() + "/api/demo/wells"))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, post.statusCode(), post.body());
    }

    @Test
    void everyPartOfTheInspectorAnswers404EvenWithoutAToken() throws Exception {
        Await.until("/health/ready UP", Duration.ofSeconds(60), () -> TestServer.get("/health/ready").statusCode() == 200);
        HttpResponse<String> page = TestServer.get("/inspector/");
        assertEquals(404, page.statusCode());
        assertTrue(page.body().contains("INSPECTOR=false"), "says why: " + page.body());
        for (String path : List.of("/inspector", "/inspector/index.html", "/inspector/assets/inspector.js",
                "/inspector/assets/inspector.css", "/api/inspector/config", "/api/inspector/tenants/realtime-dev/figures",
                "/realtime/v1/api/inspector/config")) {
            assertEquals(404, TestServer.get(path).statusCode(), path);
        }
        HttpResponse<String> token = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(TestServer.baseUrl() + "/api/inspector/token"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"role\":\"anon\"}")).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, token.statusCode(), "not 401: an inspector that is off shows no trace: " + token.body());
    }
}
