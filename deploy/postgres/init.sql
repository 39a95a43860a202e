-- One database per service (docker-compose's postgres runs this once, on an empty volume).
CREATE DATABASE intake;
CREATE DATABASE tracking;
CREATE DATABASE scoring;
CREATE DATABASE notify;
CREATE DATABASE portal;
