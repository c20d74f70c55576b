package io.cloudpark.app;

import javax.servlet.ServletContextEvent;
import javax.servlet.ServletContextListener;

/** Starts cloudpark with its context and stops it with the context (web.xml listener). */
public final class AppLifecycle implements ServletContextListener {

    @Override
    public void contextInitialized(ServletContextEvent event) {
        NonReportingStatsReporter.replaceInRunningContainer();
        event.getServletContext().setAttribute(CloudparkApp.ATTRIBUTE, CloudparkApp.start(Config.fromEnvironment()));
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        Object app = event.getServletContext().getAttribute(CloudparkApp.ATTRIBUTE);
        if (app instanceof CloudparkApp running) {
            running.stop();
            event.getServletContext().removeAttribute(CloudparkApp.ATTRIBUTE);
        }
    }
}
