package io.mudrock.realtime.demo;

import io.mudrock.realtime.page.PageSwitch;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;
import java.util.function.Function;

/** Holds {@link DemoSettings}, read once ({@code DEMO_PAGE}); see {@link PageSwitch}. */
@ApplicationScoped
public class DemoConfiguration extends PageSwitch<DemoSettings> {

    @Override
    protected DemoSettings load(Function<String, Optional<String>> source, boolean embeddedDatabase) {
        return DemoSettings.load(source, embeddedDatabase);
    }

    @Override
    protected String describe(DemoSettings loaded) {
        return "Wells page at /: " + (loaded.pageEnabled() ? "on" : "off")
                + (loaded.sampleWellsEnabled() ? ", with its add-a-sample-well button" : "");
    }
}
