#!/usr/bin/env python3
"""Generate the off-topic question set for the HCM-QA topic gate.

Deterministic (seeded), standard library only.  Writes offtopic.csv next to
this script with header ``question,category``.

Content: a large block of fully hand-written standalone questions per
category, plus hand-written question frames combined with hand-written entity
lists.  No external dataset is used.

Rules kept throughout: no question mentions the person Ho Chi Minh; the words
"Ho Chi Minh" only appear as "Ho Chi Minh City"; no mention of the trail.
"""
import csv
import os
import random
import re

SEED = 20240611
OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "offtopic.csv")

# ---------------------------------------------------------------------------
# 1. Hand-written standalone questions (one per line) per category
# ---------------------------------------------------------------------------
STANDALONE = {}

STANDALONE["science"] = """
Why is the sky blue?
What causes the tides in the ocean?
How does photosynthesis actually work?
What is the difference between an atom and a molecule?
Why does ice float on water?
How do vaccines train the immune system?
What is DNA made of?
Can you explain how a rainbow forms?
What is the speed of light in a vacuum?
Why do metals conduct electricity so well?
Why does water boil at a lower temperature on a mountain?
How do magnets work?
What is an isotope?
Why do onions make you cry when you cut them?
How is the periodic table organised?
How does a nuclear power plant generate electricity?
What is the difference between weight and mass?
Why does bread dough rise?
What is entropy in simple words?
Is glass a liquid or a solid?
Why do leaves change colour in autumn?
What makes a chemical reaction exothermic?
What exactly does pH measure?
What is quantum entanglement?
Why do humans have different blood types?
How does a microwave oven heat food?
What is static electricity?
Who discovered penicillin?
What did Marie Curie discover?
How old is the Earth?
Why does a spoon look bent in a glass of water?
How does a battery store energy?
What are stem cells?
Why is carbon so important for life?
What is the difference between a virus and a bacterium?
How does the human eye see colour?
What is Newton's third law?
why does salt melt ice on roads
What is a half-life in radioactivity?
How do noise-cancelling headphones work?
What is the Higgs boson and why was it important?
How is a diamond formed deep underground?
Why does a balloon stick to the wall after you rub it on your hair?
What's the hottest temperature ever recorded on Earth?
What is CRISPR used for?
Can sound travel in space?
How does a refrigerator keep food cold?
What is the chemical formula of table salt?
Why do we see lightning before we hear thunder?
How many bones are there in the adult human body?
What is the largest organ in the human body?
Why do some materials glow in the dark?
What is absolute zero?
How does a hydrogen fuel cell work?
"""

STANDALONE["math"] = """
What is the Pythagorean theorem?
How do I calculate the area of a circle?
What is a prime number?
Is zero an even number?
What is the square root of 144?
How do you convert a fraction to a percentage?
What is the derivative of x squared?
Can you explain what a logarithm is?
What is pi to ten decimal places?
How do I find the median of a set of numbers?
What is the difference between mean and mode?
Why can't you divide by zero?
What is an irrational number?
How many degrees are in a triangle?
What is the formula for compound interest?
How do I solve a quadratic equation?
What is the Fibonacci sequence?
What is 15 percent of 80?
How do you calculate the volume of a cylinder?
What is a matrix in linear algebra?
What does factorial mean in maths?
What is the sum of the interior angles of a hexagon?
How do I round 3.456 to one decimal place?
What is a standard deviation, in plain words?
How do you multiply two negative numbers?
What is the largest known prime number?
What is Euler's number e?
What's the difference between permutations and combinations?
How many sides does a dodecagon have?
What is the integral of 1 over x?
how do i convert celsius to fahrenheit
What is the probability of rolling two sixes with two dice?
How many zeros are in one billion?
What is a vector?
Is infinity a number?
What is the Monty Hall problem?
How do you find the least common multiple of two numbers?
What is Fermat's Last Theorem?
Why is a negative times a negative positive?
How do I calculate the slope of a line?
What are imaginary numbers used for?
What is a Venn diagram?
How do you work out a percentage increase?
What is the golden ratio?
What is binary 1011 in decimal?
"""

STANDALONE["geography"] = """
What is the longest river in the world?
Which country has the largest population?
What is the smallest country in the world?
How many continents are there?
What is the highest mountain in Africa?
Which ocean is the deepest?
What is the capital of Australia?
Which desert is the largest on Earth?
How many countries are there in Africa?
What is the driest place on Earth?
Where is the Great Barrier Reef?
Which countries share a border with Germany?
What is the largest lake in South America?
What is the tallest waterfall in the world?
Which river flows through Cairo?
How many time zones does Russia have?
What is the Ring of Fire?
Which is bigger, Canada or the United States?
What is the capital city of Canada?
Where is the Atacama Desert?
Which country has the most islands?
What is the lowest point on land?
How many states are in the United States?
What is the longest mountain range in the world?
Where does the Amazon River begin?
Which country is both in Europe and Asia?
what is the capital of new zealand
What is the largest island in the world?
Which country has the longest coastline?
How big is the Sahara Desert?
What is the Mariana Trench?
Where is Mount Kilimanjaro?
Which city is the most populated in the world?
What is the equator?
Which countries does the Danube flow through?
What are the Great Lakes?
Is Greenland part of Europe or North America?
What is a fjord?
Which country is Timbuktu in?
What is the highest capital city in the world?
Why is the Dead Sea so salty?
Where is Patagonia?
Which two countries share the longest international border?
How many provinces does Canada have?
What is the largest country in South America?
"""

STANDALONE["world-history"] = """
When did World War I begin?
Who built the pyramids of Giza?
Why did the Roman Empire fall?
What was the Renaissance?
When did the Berlin Wall fall?
Who was Cleopatra?
What caused the French Revolution?
When did Columbus reach the Americas?
What was the Black Death?
Who was Genghis Khan?
Why did the Titanic sink?
What was the Cold War?
When did the American Civil War end?
Who was the first emperor of China?
What was the Industrial Revolution?
What was the Magna Carta?
When did humans first land on the Moon?
Who were the Vikings?
What happened at the Battle of Hastings in 1066?
Why was the Great Wall of China built?
What was the Silk Road?
Who invented the printing press?
What was apartheid in South Africa?
When did the Soviet Union collapse?
What was the Ottoman Empire?
Who were the Aztecs?
What was the Meiji Restoration in Japan?
How did the Spanish flu pandemic spread in 1918?
What was the Marshall Plan?
Who wrote the US Declaration of Independence?
What happened at Pompeii?
What was the Byzantine Empire?
When did women get the right to vote in Britain?
What was the Cuban Missile Crisis?
Who was Joan of Arc?
Why did the Inca Empire collapse?
What was the Hundred Years' War?
What was the Partition of India in 1947?
Who was Alexander the Great?
When was the United Nations founded?
What was the Korean War about?
What started the Protestant Reformation?
Who was the last tsar of Russia?
When did the Mughal Empire rule India?
What was the Boston Tea Party?
How did the Second World War end in Europe?
What was the Great Depression?
Who discovered the tomb of Tutankhamun?
What was the Khmer Empire famous for?
When did the Opium Wars take place?
"""

STANDALONE["sports"] = """
Who has won the most FIFA World Cups?
How long is a marathon?
What is the offside rule in football?
Who holds the record for the 100 metres sprint?
How many players are on a basketball team on court?
When are the next Olympic Games?
What is a hat-trick?
How does scoring work in tennis?
Who is the greatest footballer of all time?
How many rings are on the Olympic flag?
What is a birdie in golf?
How long does a cricket test match last?
Which country invented table tennis?
How many Grand Slam tournaments are there in tennis?
What is a knockout in boxing?
Who won the last Tour de France?
How heavy is a bowling ball?
How often is the FIFA World Cup held?
What does VAR stand for in football?
What is the highest score possible in ten-pin bowling?
How high is a basketball hoop?
Who has the most Olympic gold medals ever?
What is the difference between rugby union and rugby league?
How many laps is a Formula 1 race?
What is a triathlon?
Which team has won the most Champions League titles?
How many players are on a volleyball team?
what's a good warm up before running
What is a penalty shootout?
Why do golfers shout fore?
How big is a football pitch?
Is chess considered a sport?
What are the rules of badminton?
Who won the Ballon d'Or this year?
How do you throw a curveball in baseball?
What is sepak takraw?
How long is an NBA game?
What's the best way to start jogging as a beginner?
Which country hosts Wimbledon?
What is a yellow card for in football?
How many holes are on a golf course?
Who is the fastest swimmer in history?
What is the Super Bowl?
How do tiebreaks work in volleyball?
What is a decathlon made up of?
"""

STANDALONE["cooking"] = """
How do I boil an egg perfectly?
What is the best way to cook rice?
How long should I bake a chicken breast?
Can I freeze cooked pasta?
How do I make a simple tomato sauce?
What can I use instead of eggs in baking?
How do you make pancakes fluffy?
What temperature should I roast vegetables at?
How do I sharpen a kitchen knife?
What is the difference between baking soda and baking powder?
How do I make bread without yeast?
How long do I need to marinate chicken?
What is the secret to crispy roast potatoes?
How do I make homemade pizza dough?
What spices go well with lamb?
How do I caramelise onions?
How do I know when steak is medium rare?
What can I cook with only five ingredients?
How do I make a vinaigrette?
Why did my cake sink in the middle?
How do you poach an egg?
What's a quick dinner idea for tonight?
How do I make sushi rice?
How long does cooked rice last in the fridge?
Can you give me a recipe for chocolate chip cookies?
How do I thicken a soup?
What is sous vide cooking?
How do I make mayonnaise from scratch?
What oil is best for deep frying?
How do I stop pasta from sticking together?
what to cook with leftover chicken
How do I make a good curry paste?
What is the difference between a stew and a braise?
How do I make guacamole?
How do I temper chocolate?
What is a roux?
How do I cook quinoa?
How do I make French toast?
What is the best way to reheat pizza?
How do I bake a sourdough loaf?
Can I substitute butter with oil in a cake?
How do I make kimchi at home?
What is the ideal temperature for frying tofu?
How do you make a classic risotto?
What vegetarian dish can I make for a dinner party?
"""

STANDALONE["health"] = """
How much water should I drink a day?
What are the symptoms of the flu?
How many hours of sleep does an adult need?
Is coffee bad for you?
How can I lower my blood pressure naturally?
What are the early signs of diabetes?
How do I get rid of a headache quickly?
Is it safe to exercise with a cold?
What foods are high in iron?
How can I improve my posture?
What causes migraines?
How many calories should I eat per day?
Is intermittent fasting healthy?
What is a normal resting heart rate?
How do I treat a minor burn?
What are good sources of protein for vegetarians?
How can I stop snoring?
What vitamins are important for the immune system?
How often should I go to the dentist?
What should I do if I sprain my ankle?
What is the difference between a cold and allergies?
How do I know if I am dehydrated?
Is it bad to crack your knuckles?
How can I reduce stress before an exam?
What are the benefits of walking every day?
How long does a cold usually last?
Can I take ibuprofen on an empty stomach?
What is a healthy BMI?
how to fall asleep faster
What causes heartburn?
Is sugar really addictive?
How do I stretch properly after a workout?
What are the symptoms of food poisoning?
How long should I wash my hands?
What is cholesterol?
Is it okay to skip breakfast?
What helps with jet lag?
How can I protect my eyes from screen strain?
What are probiotics good for?
How much exercise do I need each week?
Should I use sunscreen on cloudy days?
What is the best way to treat a sore throat?
Why do my muscles ache after exercise?
Is dark chocolate good for the heart?
What is a healthy breakfast?
"""

STANDALONE["technology"] = """
What is cloud computing?
How does Wi-Fi work?
What is the difference between RAM and storage?
How do I speed up my slow laptop?
What is 5G and is it better than 4G?
How do I reset my router?
What is artificial intelligence?
How does GPS know where I am?
Should I buy an iPhone or an Android phone?
What is a VPN and do I need one?
How do I back up my photos?
What is blockchain technology?
How do touchscreens work?
How do I free up space on my phone?
What is the Internet of Things?
Why does my phone battery drain so fast?
What is a solid-state drive?
How do I connect Bluetooth headphones to my laptop?
What is two-factor authentication?
How do I recognise a phishing email?
What is a large language model?
How does facial recognition work?
What's the best laptop for students?
How do I take a screenshot on Windows?
What is an operating system?
How does a QR code work?
How do I transfer files from my old phone to a new one?
What is the dark web?
What does a graphics card do?
How do electric toothbrushes charge without a plug?
Why does my Wi-Fi keep disconnecting?
What is machine learning in simple terms?
How do self-driving cars see the road?
What is a smart home?
how do i turn off location tracking on my phone
What is the difference between HTTP and HTTPS?
How long do smartphones usually last?
What is virtual reality?
How do I clean my keyboard safely?
What is quantum computing?
How do I update my computer's drivers?
What is a pixel?
How does a 3D printer work?
Is it safe to charge my phone overnight?
What does a CPU actually do?
"""

STANDALONE["programming"] = """
What is the difference between Python 2 and Python 3?
How do I reverse a string in Python?
What is recursion?
What is the difference between a list and a tuple in Python?
How do I centre a div in CSS?
What is an API?
What is object-oriented programming?
What does Git rebase do?
How do I fix a null pointer exception in Java?
What is the difference between SQL and NoSQL databases?
What is Big O notation?
How do I read a CSV file in Python?
What is a closure in JavaScript?
Why is my for loop running forever?
What is a REST API?
How do I install a package with pip?
What is Docker used for?
What is the difference between == and === in JavaScript?
How do I write a unit test?
What is a race condition?
Which programming language should I learn first?
How do I sort a dictionary by value in Python?
What is a hash table?
What does the async keyword do?
How do I undo my last commit?
What is a segmentation fault?
How do I make an HTTP request in JavaScript?
What is functional programming?
What is the difference between a process and a thread?
How do I convert a string to an integer in Java?
What is a regular expression?
How do I merge two lists in Python?
What is dependency injection?
What is the difference between stack and heap memory?
how do i debug a python script
What is TypeScript and why use it?
How do I connect to a MySQL database from PHP?
What is a linked list?
What is a binary search?
What are design patterns in software engineering?
How do I handle exceptions in C#?
What is the difference between let, const and var?
How do I deploy a website for free?
What is a memory leak?
Why is Rust considered memory safe?
"""

STANDALONE["music"] = """
Who composed the Moonlight Sonata?
How many strings does a standard guitar have?
What is the best-selling album of all time?
How do I learn to play piano as an adult?
What is the difference between a major and a minor chord?
Who are the members of the Beatles?
What is jazz?
How do I read sheet music?
What is a symphony?
Who is the queen of pop?
What instruments are in a string quartet?
How do I tune a guitar?
What is K-pop?
Who wrote the opera The Magic Flute?
What does tempo mean in music?
How long does it take to learn the violin?
Which song has the most streams on Spotify?
What is a capo used for?
How did hip-hop begin?
What are the notes on a piano?
Who was Elvis Presley?
What is autotune?
What is the difference between a cello and a double bass?
What is a good song for a wedding first dance?
Can you recommend some relaxing music for studying?
How do I start a band?
What genre is reggae?
Who is the most famous classical composer?
How many keys does a piano have?
What is an octave?
how do i sing better
What is the history of the blues?
What is a music festival like Glastonbury?
How do vinyl records work?
Who wrote Bohemian Rhapsody?
What does a conductor do in an orchestra?
What is the loudest musical instrument?
How do I practise drums without disturbing neighbours?
What is a cover song?
Who won the Grammy for album of the year?
What is perfect pitch?
Which instrument is easiest to learn?
"""

STANDALONE["film"] = """
What is the highest-grossing movie of all time?
Who directed Jurassic Park?
What movie won Best Picture at the last Oscars?
Can you recommend a good horror film?
What is the order of the Star Wars movies?
Who played James Bond first?
What is a good family movie for tonight?
How many Harry Potter films are there?
Who is the director of Parasite?
What is film noir?
What are the best animated movies ever made?
When does the next Marvel movie come out?
Who composed the music for Star Wars?
What is the plot of Inception?
Which actor has won the most Oscars?
What is the Cannes Film Festival?
How are special effects made in movies?
What does a film producer do?
Is The Godfather worth watching?
What is the longest movie ever made?
Who voices Shrek?
Which Studio Ghibli film should I watch first?
What is a mockumentary?
How do I get into acting?
What's a good romantic comedy?
what movie should i watch tonight
Who played Forrest Gump?
What is the Bechdel test?
What is Bollywood?
How long is the Lord of the Rings trilogy?
What is a director's cut?
Who was Charlie Chaplin?
Which movies are based on true stories?
What are some classic black-and-white films?
Why is Citizen Kane considered so great?
How do movie ratings like PG-13 work?
Who won best actress at the Oscars this year?
What is the difference between a film and a movie?
Are there any good documentaries about the ocean?
What is the first feature-length animated film?
"""

STANDALONE["literature"] = """
Who wrote Pride and Prejudice?
What is the plot of Romeo and Juliet?
Who is the author of One Hundred Years of Solitude?
What is magical realism?
Can you recommend a good mystery novel?
What is a haiku?
Who wrote War and Peace?
What is the theme of 1984 by George Orwell?
How many books are in the Harry Potter series?
What is a sonnet?
Who won the Nobel Prize in Literature last year?
What is The Great Gatsby about?
Who wrote Don Quixote?
What is a protagonist?
What are some classic Russian novels?
Who was Edgar Allan Poe?
What is the difference between a novel and a novella?
Who wrote The Little Prince?
What is the Iliad about?
What books should I read before I die?
Who created Sherlock Holmes?
What is stream of consciousness writing?
Is The Hobbit a children's book?
What is an allegory?
who wrote the odyssey
Who wrote Things Fall Apart?
What is the oldest known story?
What is a limerick?
Who is Haruki Murakami?
What is a Bildungsroman?
Can you suggest a short book for a long flight?
Who wrote Frankenstein?
What is dystopian fiction?
What does Shakespeare's Hamlet say about revenge?
Who was Jane Austen?
What is the Divine Comedy about?
Who wrote The Old Man and the Sea?
What is free verse poetry?
Which book has sold the most copies ever?
What is a metaphor in literature?
"""

STANDALONE["animals"] = """
How long do cats live?
Why do dogs wag their tails?
What is the fastest land animal?
Do fish sleep?
How many legs does a spider have?
What is the largest animal ever?
Why do cats purr?
How do birds know where to migrate?
Are bats blind?
What do pandas eat?
How do chameleons change colour?
What is the most venomous snake?
How long can a turtle live?
Why do zebras have stripes?
How many hearts does an octopus have?
Are dolphins smarter than dogs?
What is the difference between a frog and a toad?
How do I train my puppy to sit?
Why do elephants have big ears?
Can penguins fly?
How much should I feed my cat?
What animals live in the Arctic?
Why do cows have four stomachs?
How do ants communicate?
What is the smallest mammal?
Do sharks have bones?
how long do goldfish live
What is a marsupial?
Why do geese fly in a V shape?
How do bees find flowers?
Is a whale a fish?
What is the loudest animal on Earth?
How do snakes move without legs?
Which animals can regenerate limbs?
How many species of birds are there?
Why does my dog eat grass?
What does a koala eat?
Can parrots really understand words?
How fast can a cheetah run?
Do giraffes sleep standing up?
Why do owls hoot at night?
Are hamsters good pets for children?
"""

STANDALONE["weather"] = """
What will the weather be like tomorrow?
Is it going to rain this afternoon?
What causes thunderstorms?
How do hurricanes form?
What is the difference between weather and climate?
Why does it snow?
What is a monsoon?
How do meteorologists predict the weather?
What is humidity?
What does a high UV index mean?
How does a tornado form?
What is El Nino?
Why is it colder at the top of a mountain?
What is hail?
How accurate are weather forecasts?
What is the wind chill factor?
Why are there clouds in the sky?
Do I need an umbrella today?
What is a heatwave?
Why does fog form in the morning?
What is a typhoon?
How hot will it be this weekend?
What is the coldest temperature ever recorded?
How is rainfall measured?
should i bring a jacket today
What is a cold front?
Why do rainbows appear after rain?
What is black ice?
How far away is a storm if I count the seconds after lightning?
What is a cyclone?
Why is the weather so unpredictable in spring?
What is dew point?
What is the rainiest city in the world?
What does a 60 percent chance of rain mean?
Can it be too cold to snow?
What is a blizzard?
How do clouds float?
What causes drought?
"""

STANDALONE["travel"] = """
What should I pack for a week in Japan?
Do I need a visa to visit Thailand?
What are the best places to visit in Italy?
How early should I arrive at the airport for an international flight?
What is the cheapest day to book a flight?
Is travel insurance worth it?
How do I deal with jet lag?
What are the must-see sights in Paris?
Is it safe to drink tap water in Mexico?
What is the best time to visit Bali?
How much should I tip in the United States?
Can I bring a power bank on a plane?
What are the best backpacking routes in South America?
How do I get from London to Edinburgh?
What should I see in New York in three days?
Which Greek island is best for families?
How do I find cheap hotels in Tokyo?
What is the best way to travel around Europe?
Do I need an international driving permit?
What are some hidden gems in Portugal?
How long is the flight from Sydney to Singapore?
What is the liquid limit for carry-on luggage?
Is Iceland expensive to visit?
How do I get a Schengen visa?
What should I do if I lose my passport abroad?
what is there to do in barcelona
Which countries are best for solo travellers?
What is the best way to see the Northern Lights?
How do I avoid tourist traps in Rome?
What plug adapter do I need for the UK?
How many days do I need in Istanbul?
What are good souvenirs to bring back from Morocco?
How do I book a train in India?
Is it worth visiting Machu Picchu?
What vaccinations do I need for Kenya?
Which airlines allow free checked bags?
How do I survive a long-haul flight?
Where can I go for a cheap beach holiday in December?
What is the best way to get from Bangkok to Chiang Mai?
Can I use my credit card everywhere in Singapore?
"""

STANDALONE["finance"] = """
How do I start investing with little money?
What is the difference between a stock and a bond?
How does compound interest grow my savings?
What is an index fund?
How do I make a monthly budget?
What is a good credit score?
Should I pay off debt or save first?
What is inflation?
How does a mortgage work?
What is a Roth IRA?
How much should I save for retirement?
What is cryptocurrency?
Is Bitcoin a good investment?
What is the stock market?
How do I file my taxes?
What is a dividend?
What is an emergency fund and how big should it be?
How do credit cards charge interest?
What is a recession?
What is the difference between a debit card and a credit card?
How do interest rates affect the economy?
What is diversification in investing?
How do I open a bank account online?
What is a hedge fund?
what is the best savings account right now
What is a bear market?
How do exchange rates work?
What is the 50/30/20 budgeting rule?
Should I rent or buy a home?
What is an ETF?
How do I improve my credit score?
What is a pension?
How much does a financial advisor cost?
What is a capital gains tax?
How do I send money abroad cheaply?
What is a P/E ratio?
What happens if a bank goes bankrupt?
Is gold a safe investment?
"""

STANDALONE["law"] = """
What is the difference between civil and criminal law?
Do I need a lawyer to write a will?
What are my rights if I get arrested?
How do I trademark a business name?
What is a contract?
Can my landlord raise the rent without notice?
What is copyright and how long does it last?
How do I file for divorce?
What is jury duty?
What is the difference between a misdemeanor and a felony?
Is it legal to record a phone call?
What is intellectual property?
How does small claims court work?
What is a power of attorney?
Can I be fired without a reason?
What is the statute of limitations?
Do I need a permit to build a fence?
What is a non-disclosure agreement?
What happens if I get a speeding ticket abroad?
What is habeas corpus?
How do patents work?
What does pleading the fifth mean?
Is jaywalking illegal?
What is a tenancy agreement?
how do i dispute a parking fine
What is the Geneva Convention?
What is the role of a notary public?
What is defamation?
How do I get custody of my children?
What is the International Court of Justice?
Can I use a song in my YouTube video?
What is GDPR?
What is a prenuptial agreement?
How old do you have to be to sign a contract?
What is the difference between a solicitor and a barrister?
"""

STANDALONE["language"] = """
What is the difference between affect and effect?
When should I use a semicolon?
How many languages are spoken in the world?
What is the hardest language to learn?
Is it who or whom?
What is a split infinitive?
How do I improve my English vocabulary?
What is the past tense of swim?
What does the word serendipity mean?
Is it correct to say less people or fewer people?
What is an oxymoron?
How do you say thank you in Japanese?
What is the longest word in English?
What is a gerund?
How do I learn Spanish quickly?
What is the difference between British and American spelling?
What is a palindrome?
How many letters are in the Russian alphabet?
What is the passive voice?
Where does the word alphabet come from?
Is Mandarin a tonal language?
What is an idiom?
What does break a leg mean?
How do I use the present perfect tense?
What is the plural of octopus?
its or it's which one is correct
What is the difference between then and than?
How do you pronounce quinoa?
What is a dangling modifier?
What is sign language?
What language is spoken in Brazil?
What is Esperanto?
How do you say hello in Korean?
What is a synonym for happy?
When do you use a colon instead of a comma?
What is the origin of the word OK?
What is an Oxford comma?
How do I write a formal email in English?
What does the French phrase deja vu mean?
How many words does the average person know?
"""

STANDALONE["space"] = """
How far is the Moon from Earth?
What is a black hole?
How many planets are in our solar system?
Is there life on Mars?
What is the biggest star in the universe?
How old is the universe?
What is a light year?
Why is Pluto no longer a planet?
How hot is the Sun?
What is the International Space Station?
Who was the first person in space?
What are Saturn's rings made of?
How long does it take to get to Mars?
What is a supernova?
What is the Milky Way?
How do astronauts sleep in space?
What is a comet?
Why does the Moon have phases?
What is the James Webb Space Telescope looking for?
What is a neutron star?
How many moons does Jupiter have?
What is the Big Bang theory?
Can you see the Great Wall of China from space?
What is a solar eclipse?
Which planet has the longest day?
How do rockets work in the vacuum of space?
What is an exoplanet?
what is the closest star to earth
Why is Mars red?
How big is the Sun compared to Earth?
What is a meteor shower?
What does NASA do?
Who was the first woman in space?
Will the Sun ever explode?
What is the Kuiper Belt?
How cold is it in space?
What is a galaxy?
How does gravity work on the Moon?
When is the next total solar eclipse?
What is SpaceX trying to achieve?
"""

STANDALONE["art"] = """
Who painted the Mona Lisa?
What is Impressionism?
Where is the painting The Starry Night displayed?
What is the difference between oil and acrylic paint?
Who was Frida Kahlo?
What is abstract art?
How do I start learning to draw?
What is the Sistine Chapel ceiling?
Who sculpted David?
What is cubism?
What is street art?
Who was Pablo Picasso?
What is a fresco?
How do I mix colours to make brown?
What is the Louvre famous for?
Who painted The Scream?
What is pop art?
What is the golden hour in photography?
What is calligraphy?
Who was Claude Monet?
What is surrealism?
How much is the most expensive painting ever sold?
What is watercolour painting?
What is the Renaissance art style?
How do I draw a realistic face?
What is perspective drawing?
who is banksy
What is ceramics?
What is the rule of thirds in composition?
Who painted Girl with a Pearl Earring?
What is Japanese woodblock printing?
What is a still life painting?
How do art auctions work?
What is the difference between art and craft?
What is lacquer painting?
Who was Vincent van Gogh?
What is minimalism in art?
What is an art gallery curator's job?
"""

STANDALONE["religion"] = """
What are the five pillars of Islam?
What is Buddhism?
Who wrote the Old Testament?
What is the difference between Catholics and Protestants?
What is Hinduism's holy book?
What is Ramadan?
What is karma?
What do Buddhists believe about reincarnation?
What is Easter about?
What is the Torah?
What is Confucianism?
What does Taoism teach?
Who was the Buddha?
What is Diwali?
What is the Vatican?
What is Yom Kippur?
What is meditation in Buddhism?
How many books are in the Bible?
What is Shinto?
What is a pilgrimage?
Who is the Dalai Lama?
What is Sikhism?
What is Lent?
What are the Ten Commandments?
what is the meaning of christmas
What is Cao Dai?
What is Zen?
Who is the current Pope?
What is the Hajj?
What is the Quran?
What is ancestor worship?
What is the difference between Sunni and Shia Islam?
What is Hanukkah?
What is Jainism?
What is an atheist?
What is nirvana in Buddhism?
What is the Book of Revelation about?
What is a mosque?
"""

STANDALONE["business"] = """
How do I start a small business?
What is a business plan?
What is the difference between revenue and profit?
How do I register a company?
What is marketing?
What is a startup?
How do I find investors for my business?
What is a SWOT analysis?
What does a CEO do?
How do I write a good resume?
What is supply and demand?
What is e-commerce?
How do I price my product?
What is venture capital?
What is a franchise?
How do I market my business on social media?
What is a limited liability company?
What is branding?
How do I negotiate a salary?
What is outsourcing?
What is a KPI?
How do I handle a difficult customer?
What is a business model canvas?
What is the gig economy?
what is b2b
What is a merger?
How do I write a press release?
What is a balance sheet?
What is cash flow?
How do I become an entrepreneur?
What is a unicorn startup?
How do I run an effective meeting?
What is customer retention?
What is a supply chain?
How do I build a brand identity?
What is dropshipping?
What is an IPO?
"""

STANDALONE["cars"] = """
How often should I change my car's oil?
What is the difference between a hybrid and an electric car?
How do I jump start a car?
What does the check engine light mean?
How long do car tyres last?
What is horsepower?
Which car brand is the most reliable?
How do I change a flat tyre?
What is a turbocharger?
How do I parallel park?
Is it better to buy a new or used car?
What is the fastest car in the world?
How does ABS work?
How far can an electric car go on one charge?
What is a manual transmission?
Why is my car making a squeaking noise?
How much does it cost to charge a Tesla?
What is an SUV?
How do I check tyre pressure?
What is cruise control?
How do I get my driving licence?
What does a catalytic converter do?
what is the best first car
How often should I replace my brake pads?
What is a diesel engine?
How do I clean my car's interior?
What is four-wheel drive?
Why do car windows fog up?
What is a car lease?
How do I winterize my car?
What is Formula E?
How much does car insurance cost?
What is torque?
How do I sell my car privately?
What is a hydrogen car?
"""

STANDALONE["fashion"] = """
What should I wear to a job interview?
What colours go well with navy blue?
How do I tie a tie?
What is fast fashion?
What shoes go with a black dress?
How do I find my clothing size?
What is streetwear?
Who founded Chanel?
How do I remove a stain from a white shirt?
What is business casual?
What are the fashion trends this year?
How do I style a scarf?
What is haute couture?
What should a man wear to a wedding?
How do I wash wool sweaters?
What is a capsule wardrobe?
What is Paris Fashion Week?
How do I choose sunglasses for my face shape?
what to wear on a first date
What is the difference between a suit and a tuxedo?
How do I dress for a cold winter?
What is vintage clothing?
What is sustainable fashion?
How should jeans fit?
What is an ao dai?
How do I fold a shirt so it does not wrinkle?
What accessories go with a simple outfit?
What is a trench coat?
How do I iron a shirt properly?
Who is Coco Chanel?
What is the difference between silk and satin?
How do I make my clothes last longer?
"""

STANDALONE["games"] = """
What is the best video game of all time?
How do you play chess?
What is Minecraft?
How do I get better at Fortnite?
What is a role-playing game?
What are some good board games for families?
How do you win at Monopoly?
What is esports?
What is the PlayStation 5?
How do you solve a Rubik's cube?
What is Dungeons and Dragons?
What is the best Nintendo Switch game?
How do I play poker?
What is a speedrun?
What is Tetris?
What are some fun party games?
How does the Elo rating work in chess?
What is the Legend of Zelda about?
What is Pokemon?
How do I play sudoku?
What is a battle royale game?
how do i play mahjong
What are good games to play on a phone?
What is Go, the board game?
What is a gaming PC?
How do I start streaming games on Twitch?
What is League of Legends?
Who is the best chess player in the world?
What is a crossword puzzle?
How do you play Uno?
What is Scrabble's highest scoring word?
What is retro gaming?
What is a checkmate?
How long does it take to finish Elden Ring?
What is Among Us?
What card games can two people play?
"""

STANDALONE["smalltalk"] = """
How are you today?
Hi, how is your day going?
Hey, what's up?
Are you a robot?
What is your name?
Who made you?
Do you have feelings?
Can we be friends?
What do you like to do for fun?
Are you happy?
How old are you?
Where do you live?
Do you sleep?
What's your favourite colour?
Are you a human or a computer?
Good morning, how are you?
Do you dream?
Can you hear me?
Do you like me?
What's new with you?
How was your weekend?
Do you get bored?
What are you doing right now?
Are you smarter than a human?
What is your favourite food?
hello is anyone there
Can you talk to me for a while?
Are you lonely?
Do you have a family?
What's your favourite movie?
Do you like music?
What time is it?
What day is it today?
How is the weather where you are?
Can you speak Vietnamese?
Do you know my name?
Are you male or female?
What do you think about love?
Can you sing a song for me?
Do you ever get tired?
Is it okay if I just chat for a bit?
Thank you, you have been very helpful!
Nice to meet you, what should I call you?
Are you having a good day?
What makes you happy?
Do you believe in ghosts?
Do you have any pets?
What's the meaning of life?
Hey, are you awake?
I'm bored, what should I do?
Can you keep a secret?
How do you feel about rainy days?
"""

STANDALONE["jokes"] = """
Can you tell me a joke?
Do you know any good jokes?
Tell me something funny?
What's the funniest joke you know?
Can you tell me a knock-knock joke?
Do you know a good pun?
Why did the chicken cross the road?
Can you make me laugh?
What's a good dad joke?
Tell me a joke about computers?
Do you know any jokes about cats?
Can you tell me a riddle?
What's a joke I can tell my kids?
Do you know any clean jokes for a party?
What's the worst joke you know?
Why don't scientists trust atoms?
Can you tell me a funny story?
What's a good pickup line?
Do you know any programmer jokes?
Can you tell me a joke about teachers?
What do you call a fish with no eyes?
Why did the scarecrow win an award?
What's a funny joke about math?
tell me a joke please
Can you roast me?
Do you know any limericks that are funny?
What's the best one-liner joke?
Do you know any jokes about dogs?
What's brown and sticky?
Can you tell me a joke in Vietnamese?
What's a funny fact that will make me laugh?
Can you tell me an April Fools prank idea?
What's a good joke for a birthday card?
Do you know any jokes about doctors?
Why was six afraid of seven?
"""

STANDALONE["homework"] = """
Can you help me with my homework?
Can you write my essay for me?
How do I write a thesis statement?
Can you check my grammar in this paragraph?
How do I cite a website in APA format?
Can you solve this equation for me: 3x + 5 = 20?
How do I write a good conclusion?
What is the structure of a five-paragraph essay?
Can you explain long division step by step?
How do I balance a chemical equation?
Can you help me study for my biology test?
How do I write a lab report?
What should I include in a book report?
How do I make flashcards that actually work?
Can you summarise this chapter for me?
How do I memorize the periodic table?
Can you help me with my French homework?
How do I solve simultaneous equations?
What is a good topic for a science fair project?
How do I write an argumentative essay?
Can you give me practice questions for algebra?
How do I calculate the molar mass of water?
help me with my math homework please
How do I write a bibliography?
Can you explain photosynthesis for my exam tomorrow?
How do I paraphrase without plagiarising?
What is the best way to revise for exams?
Can you check if my answer to this physics problem is right?
How do I write a persuasive speech?
Can you help me plan my history project?
How do I find the area of a trapezoid?
How do I analyse a poem for English class?
Can you help me with my coding assignment?
How many words should a college essay be?
How do I structure a research paper?
What are good study habits for high school?
"""

STANDALONE["philosophy"] = """
What is the meaning of life?
What is existentialism?
Who was Socrates?
What is the trolley problem?
Do we have free will?
What is stoicism?
What did Plato mean by the allegory of the cave?
What is utilitarianism?
Who was Immanuel Kant?
What is nihilism?
What is ethics?
What is the difference between philosophy and religion?
What did Descartes mean by I think, therefore I am?
What is the ship of Theseus paradox?
What is logic?
Who was Confucius?
What is the mind-body problem?
What is moral relativism?
Who was Friedrich Nietzsche?
What is the Socratic method?
What is epistemology?
What is the social contract theory?
What is happiness according to Aristotle?
what is the point of philosophy
Is it ever right to lie?
What is the categorical imperative?
What is absurdism?
Who was Simone de Beauvoir?
What is a thought experiment?
What is the problem of evil?
What is determinism?
What is Zen philosophy?
"""

STANDALONE["relationships"] = """
How do I know if someone likes me?
How do I get over a breakup?
What are signs of a healthy relationship?
How do I make new friends as an adult?
How do I ask someone out?
What should I do on a first date?
How do I deal with a toxic friend?
How can I improve communication with my partner?
What is a good anniversary gift?
How do I apologise to a friend?
How do I handle a long-distance relationship?
How do I tell my parents I want to move out?
What are love languages?
How do I set boundaries with family?
How do I support a friend who is grieving?
How do I stop being jealous?
How do I plan a surprise proposal?
what should i text my crush
How do I resolve an argument with my roommate?
How do I meet people in a new city?
What is a good wedding speech?
How do I deal with a difficult coworker?
How do I know if I am ready for marriage?
How can I be a better listener?
How do I end a friendship politely?
What do I say to someone who lost a pet?
How do I make up with my sister after a fight?
What are good conversation starters?
How do I say no without feeling guilty?
How do I keep the spark alive in a marriage?
"""

STANDALONE["parenting"] = """
How do I get my baby to sleep through the night?
When do babies start walking?
How much screen time is okay for kids?
How do I potty train a toddler?
What are good books for a five-year-old?
How do I deal with toddler tantrums?
When should a child start school?
How do I talk to my kids about money?
What are healthy snacks for children?
How do I encourage my child to read?
When do babies start teething?
How do I help my teenager with anxiety?
What are fun activities for kids on a rainy day?
How much pocket money should I give my child?
How do I choose a good daycare?
How do I teach my child to swim?
What is a normal temperature for a baby?
how do i stop my kid lying
How do I prepare my child for a new sibling?
What vaccines does a baby need?
How do I deal with sibling rivalry?
What are good birthday party ideas for a ten-year-old?
How do I introduce solid food to a baby?
How do I keep kids safe online?
What chores can a six-year-old do?
How do I help my child make friends?
What is attachment parenting?
How do I talk to my child about death?
"""

STANDALONE["home-garden"] = """
How do I unclog a drain without chemicals?
How often should I water my tomato plants?
What is the best way to paint a wall?
How do I get rid of mould in the bathroom?
What houseplants are easy to care for?
How do I fix a leaking tap?
How do I start a vegetable garden?
What is the best way to clean windows?
How do I hang a picture without nails?
How do I make compost?
How do I get rid of ants in the kitchen?
Which plants grow well in shade?
How do I remove wallpaper?
How do I fix a squeaky door?
What is the best grass seed for a lawn?
How do I keep my house cool in summer without AC?
How do I repot a plant?
what is the best way to clean a mattress
How do I grow herbs indoors?
How do I organise a small closet?
How do I fix a running toilet?
How do I prune a rose bush?
What is feng shui?
How do I remove limescale from a kettle?
How do I keep pests off my vegetables naturally?
How do I choose paint colours for a living room?
How do I grow an orchid?
How do I reduce my electricity bill?
How often should I change my bed sheets?
How do I make my small apartment look bigger?
How do I save a dying succulent?
What tools does every home need?
"""

STANDALONE["careers"] = """
How do I prepare for a job interview?
What jobs pay well without a degree?
How do I ask for a raise?
How do I write a cover letter?
What is a good answer to what is your greatest weakness?
How do I change careers at 40?
What does a data scientist do?
How do I become a nurse?
What are the most in-demand jobs right now?
How do I quit my job professionally?
How do I become a software developer?
What is LinkedIn used for?
How do I deal with burnout at work?
How do I find an internship?
What should I wear to a video interview?
How do I become a pilot?
What is a good salary for a first job?
How do I network effectively?
How do I work from home productively?
what are good questions to ask in an interview
How do I become a teacher?
What does a project manager do?
How long should a resume be?
How do I get a job abroad?
How do I handle a bad performance review?
What is a gap year?
How do I become a chef?
What skills do employers want most?
How do I start freelancing?
How do I become a lawyer?
"""

STANDALONE["shopping"] = """
Where can I buy cheap electronics online?
When is Black Friday this year?
What is the best vacuum cleaner to buy?
How do I return an item bought online?
Is it worth buying an extended warranty?
What is a good gift for my mother?
What is the best running shoe for flat feet?
How do I spot fake reviews on Amazon?
Which mattress should I buy?
What is a good budget smartphone?
How do I get a refund for a broken product?
What is the best coffee machine for home?
what should i buy my dad for his birthday
Where can I buy second-hand furniture?
What is a good gift for a ten-year-old boy?
Are outlet stores really cheaper?
What should I look for when buying a TV?
What is the best time of year to buy a laptop?
How do I shop sustainably?
Is it safe to shop on AliExpress?
What is the best air fryer?
How do I choose a good watermelon?
What should I buy for a new baby?
Which headphones are best for the gym?
"""

STANDALONE["environment"] = """
What is climate change?
How can I reduce my carbon footprint?
What is the greenhouse effect?
Why are the polar ice caps melting?
What is renewable energy?
How does recycling help the environment?
What is deforestation?
Why are coral reefs dying?
What is plastic pollution?
How do solar panels work?
What is biodiversity?
What is the Paris Agreement?
Why are bees important for the environment?
What is carbon neutral?
How does air pollution affect health?
What is sustainable living?
What is an endangered species?
How do wind turbines generate power?
What is composting and why does it help?
what is the ozone layer
What is acid rain?
How can cities reduce flooding?
What is a carbon tax?
How much plastic ends up in the ocean each year?
What is rewilding?
Why is the Amazon rainforest important?
Is nuclear energy green?
What are microplastics?
"""

STANDALONE["psychology"] = """
What is cognitive dissonance?
How do I stop procrastinating?
What is the difference between introverts and extroverts?
What causes anxiety?
How can I be more confident?
What is the placebo effect?
What is a personality test like MBTI?
How do habits form?
What is imposter syndrome?
How do I stay motivated?
What is emotional intelligence?
Why do we dream?
What is confirmation bias?
How do I deal with overthinking?
What is the Dunning-Kruger effect?
How can I be more productive?
What is mindfulness?
What is Maslow's hierarchy of needs?
why do people fear public speaking
How do I build self-discipline?
What is burnout?
What is the bystander effect?
How does memory work?
What is a phobia?
Why do we procrastinate?
What is positive psychology?
How can I manage anger?
What is the halo effect?
"""

STANDALONE["trivia"] = """
What is the most spoken language in the world?
What is the tallest building in the world?
How many hearts does an earthworm have?
What is the national animal of Scotland?
Which country invented paper?
What is the most popular sport in the world?
Who invented the light bulb?
What is the most expensive spice?
What colour is a polar bear's skin?
What is the oldest city in the world?
How many keys are on a standard keyboard?
What is the rarest blood type?
Which country drinks the most coffee?
Who invented the telephone?
What is the most visited country?
What is the world's most popular fruit?
How many bones does a shark have?
What is the world's oldest restaurant?
what is the most common name in the world
What is the longest word without vowels?
Which planet is known as the morning star?
What is the national flower of Japan?
How tall is the Eiffel Tower?
What was the first toy advertised on television?
Who invented the internet?
What is the most downloaded app ever?
What is the largest pizza ever made?
Which country has the most pyramids?
How many dots are on a pair of dice?
What is the smallest bone in the human body?
"""

STANDALONE["mythology"] = """
Who is Zeus?
What is the story of Medusa?
Who is Thor in Norse mythology?
What is the legend of King Arthur?
Who was Hercules?
What is Valhalla?
Who is Anubis?
What is the myth of Pandora's box?
What is a dragon in Chinese mythology?
Who is Odin?
What is the story of Icarus?
Who are the Greek Muses?
What is the Trojan Horse story?
What is a phoenix?
Who is Ganesha?
What is Mount Olympus in Greek myths?
What is the legend of the Jade Emperor?
Who is Loki?
What is the myth of Persephone?
what is a kitsune
Who is Ra, the Egyptian sun god?
What is the Epic of Gilgamesh?
What is a centaur?
Who is the Monkey King?
What is Ragnarok?
Who is Athena?
What is the legend of Atlantis?
What is a banshee?
"""

STANDALONE["tv"] = """
What is the best TV series of all time?
What should I binge-watch on Netflix?
How many seasons of Friends are there?
What is Game of Thrones about?
Who plays the Doctor in Doctor Who now?
When is the next season of Stranger Things?
What is a sitcom?
What is the longest-running TV show?
Is Breaking Bad worth watching?
What is a reality TV show?
Who hosts the Tonight Show?
What is The Office about?
How do I watch BBC shows abroad?
What are good Korean dramas?
What is anime?
What is the Eurovision Song Contest?
Who won the last season of Survivor?
How many episodes of The Simpsons are there?
what is a good show to watch with my parents
What is a miniseries?
What are some good cooking shows?
How are TV ratings measured?
What is the most-watched TV event ever?
Who created Black Mirror?
What is Squid Game about?
What are good nature documentaries on TV?
"""

STANDALONE["education"] = """
What is the best university in the world?
How do I apply to study abroad?
What is the difference between a bachelor's and a master's degree?
How do I get a scholarship?
What is homeschooling?
How do I learn faster?
Is an online degree worth it?
What is the IB programme?
What is a PhD?
How do I prepare for the IELTS exam?
What is the SAT?
How long does it take to become a doctor?
What are Ivy League schools?
What is Montessori education?
How do I choose a major?
What is a community college?
how do i study effectively
What is the Erasmus programme?
How much does university cost in Germany?
What is a MOOC?
How do I write a personal statement?
What is the TOEFL test?
What are good free online courses?
What is lifelong learning?
"""

# ----- hard near-misses: hand-written --------------------------------------

STANDALONE["near-vietnam-history"] = """
Who were the Hung kings?
What is the legend of Lac Long Quan and Au Co?
When is the Hung Kings' Commemoration Day celebrated?
When did the Trung sisters rise up against the Han Chinese?
How did the Trung sisters die?
Why are the Trung sisters still honoured in Vietnam today?
What happened at the Battle of Bach Dang in 938?
How did Ngo Quyen use wooden stakes to defeat the Southern Han fleet?
Who founded the Ly dynasty?
Why did Ly Thai To move the capital to Thang Long in 1010?
When was the Temple of Literature in Hanoi built?
How did Tran Hung Dao defeat the Mongol invasions?
How many times did the Mongols invade Dai Viet?
What is the Hich Tuong Si proclamation by Tran Hung Dao?
Who was Lady Trieu and what did she fight for?
Why did the Ho dynasty of Ho Quy Ly last only seven years?
What reforms did Ho Quy Ly try to introduce, like paper money?
How did the Ming occupation of Vietnam begin in 1407?
How did Le Loi win the Lam Son uprising against the Ming?
What is the legend of the returned sword at Hoan Kiem Lake?
Who was Nguyen Trai, the scholar who served Le Loi?
What is the Binh Ngo Dai Cao proclamation?
What reforms did Emperor Le Thanh Tong introduce?
What was the Hong Duc legal code?
How did Mac Dang Dung seize the throne from the Le?
What was the long Trinh-Nguyen civil war about?
Who were the three Tay Son brothers?
How did Quang Trung defeat the Qing army at Dong Da in 1789?
How did Nguyen Hue become Emperor Quang Trung?
How old was Quang Trung when he died?
How did Nguyen Anh become Emperor Gia Long?
What help did Gia Long get from the French missionary Pigneau de Behaine?
Why did Gia Long choose Hue as the imperial capital?
What were Emperor Minh Mang's policies toward Christian missionaries?
How many children did Emperor Minh Mang have?
Why is Emperor Tu Duc's tomb so elaborate?
Why did Emperor Tu Duc have no children of his own?
When did the French first attack Da Nang in 1858?
What was the Can Vuong movement against the French?
Why was the boy emperor Ham Nghi exiled to Algeria?
Why was Emperor Duy Tan deposed and sent to Reunion Island?
What was Emperor Khai Dinh's tomb built from?
Who was Emperor Bao Dai's wife, Empress Nam Phuong?
What did Emperor Bao Dai do during his exile in France?
Where did Bao Dai spend his final years?
In what year did Bao Dai die, and where is he buried?
Was Emperor Bao Dai really a keen hunter and golfer?
How many children did Bao Dai have?
Why was Bao Dai called the playboy emperor?
Who was Ngo Dinh Diem before he became president of South Vietnam?
How did Ngo Dinh Diem die in November 1963?
Who was Madame Nhu and why was she so controversial?
What was the Buddhist crisis of 1963 in South Vietnam?
Why did the monk Thich Quang Duc burn himself in Saigon?
Who was Phan Boi Chau and what was the Dong Du movement?
Why did Phan Boi Chau send Vietnamese students to Japan?
Where did Phan Boi Chau spend his last years under house arrest?
Who was Phan Chu Trinh and why did he favour reform over revolt?
Who was Nguyen Thai Hoc of the Vietnamese Nationalist Party?
What happened in the Yen Bai mutiny?
What was Le Duan's economic policy after reunification?
Why did Vietnam's economy struggle in the late 1970s?
What was Doi Moi and when did it start?
Who was Nguyen Van Linh, the architect of Doi Moi?
Why did Vietnam launch the Doi Moi reforms in 1986?
How did Doi Moi change farming in Vietnam?
When did Vietnam join the World Trade Organization?
When did Vietnam become a member of ASEAN?
When did the United States and Vietnam restore diplomatic relations?
Who was Prime Minister Vo Van Kiet?
What was the 1979 border war between Vietnam and China about?
Why did Vietnam send troops into Cambodia in 1978?
What caused the boat people exodus from Vietnam?
What was the subsidy period, thoi bao cap, like in Vietnam?
Who was Nguyen Du, the author of the Tale of Kieu?
Who was the poet Ho Xuan Huong?
What happened to the Kingdom of Champa?
What was the ancient Kingdom of Funan?
How did Dinh Bo Linh unify the twelve warlords?
Who was Ly Thuong Kiet?
What is the poem Nam Quoc Son Ha and who wrote it?
Who was Emperor Le Dai Hanh?
What was the Battle of Rach Gam-Xoai Mut in 1785?
Who was the Nguyen emperor Thieu Tri?
Who was Truong Dinh, the southern resistance leader?
Who was the rebel Hoang Hoa Tham, known as De Tham?
Who was Nguyen Trung Truc?
When did the French establish the colony of Cochinchina?
When was French Indochina created?
When was the Long Bien Bridge in Hanoi built?
Why did Emperor Tran Nhan Tong become a Buddhist monk?
What is the Truc Lam Zen school founded by the Tran?
Where did Nguyen Van Thieu live after leaving Vietnam?
How did the Asian financial crisis of 1997 affect Vietnam?
When did Vietnam's first stock exchange open?
How did Vietnam become one of the world's biggest rice exporters?
What did the Dong Son culture leave behind?
What are the Dong Son bronze drums?
Who was the Champa king Che Bong Nga?
What was the Nam Tien, Vietnam's southward expansion?
What was the Hue imperial court's civil service exam like?
How did the Nguyen lords develop the Mekong Delta?
Who was General Le Van Duyet?
What is Vietnam's economic growth forecast for next year?
Which companies are the biggest foreign investors in Vietnam today?
How important is Samsung to Vietnam's exports?
What is Vietnam's current GDP per capita?
How has Vietnam's middle class grown since 2000?
"""

STANDALONE["near-hcmc-travel"] = """
What are the best districts to stay in Ho Chi Minh City?
Is District 1 or District 3 better for tourists?
How do I get from Tan Son Nhat Airport to District 1?
How much is a taxi from Tan Son Nhat Airport to the city centre?
Is there a bus from the airport to Ben Thanh market?
What time does Ben Thanh market open?
Is Ben Thanh market a good place to buy souvenirs?
Do I need to bargain at Ben Thanh market?
What is the night market near Ben Thanh like?
Is the Notre-Dame Cathedral of Saigon open to visitors?
When will the restoration of Saigon Notre-Dame Cathedral be finished?
What are the opening hours of the Saigon Central Post Office?
Who designed the Saigon Central Post Office building?
What is Bui Vien walking street like at night?
Is Bui Vien street safe for tourists?
How much does a beer cost on Bui Vien street?
How do I book a Cu Chi tunnels tour from Ho Chi Minh City?
How long does it take to get to the Cu Chi tunnels from Saigon?
Are the Cu Chi tunnels suitable for claustrophobic people?
Can I reach the Cu Chi tunnels by speedboat on the Saigon River?
Is the Ho Chi Minh City metro line 1 open now?
Where does the Ben Thanh to Suoi Tien metro line go?
How much is a ticket on the Saigon metro?
What is the weather like in Ho Chi Minh City in July?
When is the rainy season in Saigon?
Is December a good month to visit Ho Chi Minh City?
What are good budget hotels in District 1?
Which rooftop bars in Saigon have the best views?
How tall is Landmark 81 and can I go to the top?
Is the Bitexco Financial Tower Skydeck worth it?
Do I need a visa to visit Ho Chi Minh City?
How do I apply for a Vietnam e-visa before flying to Saigon?
Where can I exchange money in Ho Chi Minh City with a good rate?
Are the gold shops near Ben Thanh good for currency exchange?
Can I use US dollars in Ho Chi Minh City?
How do I cross the street with so many motorbikes in Saigon?
Is Grab cheaper than a taxi in Ho Chi Minh City?
Is it safe to ride a xe om motorbike taxi in Saigon?
Can tourists rent a motorbike in Ho Chi Minh City without a licence?
Which taxi companies are reliable in Saigon, Vinasun or Mai Linh?
How do I avoid taxi scams at Tan Son Nhat Airport?
Where can I buy a local SIM card at Saigon airport?
What is the Reunification Palace and when is it open?
How much is the entry ticket for the War Remnants Museum?
What is there to see in Cholon, Saigon's Chinatown?
What is Thien Hau Temple in District 5 famous for?
Is the Jade Emperor Pagoda worth a visit?
How do I take the river bus on the Saigon River?
What is Thao Dien in District 2 like for expats?
Where is the Saigon Opera House and can I see a show there?
What is the A O Show at the Saigon Opera House?
Are there good day trips from Ho Chi Minh City to the Mekong Delta?
How long is the bus from Ho Chi Minh City to Dalat?
How do I get from Saigon to Vung Tau by ferry?
Is Nguyen Hue walking street nice in the evening?
What are the best markets in Saigon besides Ben Thanh?
Where can I buy cheap clothes in Ho Chi Minh City?
Is Saigon Square a good place for shopping?
What are good things to do in Ho Chi Minh City with kids?
Where can I go swimming in Ho Chi Minh City?
Are there any parks in District 1 where I can relax?
How bad is traffic in Ho Chi Minh City during rush hour?
Is pickpocketing common in Saigon?
What should I wear in Ho Chi Minh City in the dry season?
Is there Uber in Ho Chi Minh City?
What is the best area for nightlife in Saigon?
What is the time zone of Ho Chi Minh City?
What is the population of Ho Chi Minh City?
How many districts does Ho Chi Minh City have?
What is the postcode for District 1 in Ho Chi Minh City?
How do I get from Ho Chi Minh City to Phnom Penh by bus?
Are there direct flights from Ho Chi Minh City to Singapore?
Which terminal at Tan Son Nhat is for domestic flights?
How early should I get to Tan Son Nhat for an international flight?
When will Long Thanh International Airport open?
Where can I get a good massage in District 1?
Can I drink tap water in Saigon hotels?
Where are the best coworking spaces in Ho Chi Minh City?
My uncle is visiting Ho Chi Minh City next week, where should I take him?
What are some hidden gems in Saigon that tourists miss?
Is it easy to find an ATM in Ho Chi Minh City?
What is the Book Street near the post office in Saigon?
Where can I watch the sunset in Ho Chi Minh City?
What is the Saigon Zoo and Botanical Garden like?
Is the Dam Sen water park worth visiting?
How do I rent a bicycle in Saigon?
What does a Saigon street food motorbike tour cost?
Where is the Cafe Apartment building on Nguyen Hue?
What is the best way to spend 48 hours in Ho Chi Minh City?
"""

STANDALONE["near-hcmc-food"] = """
What is the best pho restaurant in Ho Chi Minh City?
How is southern pho different from Hanoi pho?
What herbs come with pho in Saigon?
Is pho usually eaten for breakfast in Vietnam?
What is the difference between pho bo and pho ga?
How much does a bowl of pho cost in Saigon?
Where can I find the best banh mi in Saigon?
What goes inside a classic Vietnamese banh mi?
Why is the bread in banh mi so light and crispy?
Is Banh Mi Huynh Hoa worth the queue?
What is com tam, the broken rice dish of Saigon?
Why is broken rice popular in southern Vietnam?
What is served with com tam suon bi cha?
What is ca phe sua da?
How do you make Vietnamese iced coffee with a phin filter?
What is egg coffee and where can I try it in Saigon?
Why is Vietnamese coffee so strong?
What is Vietnamese coconut coffee?
Is Robusta or Arabica used more in Vietnamese coffee?
What is Trung Nguyen coffee?
Which Saigon coffee chains are most popular, Highlands or Phuc Long?
What is bun bo Hue and is it spicy?
What is hu tieu Nam Vang?
How do I eat banh xeo properly?
What is the difference between goi cuon and cha gio?
What dipping sauce comes with spring rolls?
What is nuoc mam and how is it made?
What is nuoc cham?
What is bun thit nuong?
What is banh cuon made of?
What is bot chien in Saigon?
Where can I eat snails, oc, in Saigon?
What is the best street food district in Ho Chi Minh City?
Is street food in Saigon safe to eat?
What is Vinh Khanh street in District 4 famous for?
What is che, the Vietnamese sweet soup?
What is banh trang nuong, Vietnamese pizza?
What is bo la lot?
What is banh khot and where does it come from?
What is xoi and when do people eat it?
What is bun rieu cua?
What is mi Quang?
What is cao lau and why is it only made in Hoi An?
What is ca kho to, caramelised fish in a clay pot?
What is canh chua, the sour soup?
What is rau muong xao toi?
Is it true that you can find balut, hot vit lon, on the streets of Saigon?
Where can I try durian in Ho Chi Minh City?
What is sinh to, the Vietnamese smoothie?
Is sugarcane juice, nuoc mia, safe to drink from street stalls?
What is bia hoi and is it available in Saigon?
What is Saigon Beer, the red label one?
What vegetarian food can I find in Ho Chi Minh City?
Are there good vegan restaurants in Saigon?
What is a typical Vietnamese family dinner like?
What fruits are in season in southern Vietnam in March?
How do I say no chilli please in Vietnamese at a food stall?
How much should I tip at a restaurant in Saigon?
What is lau, the Vietnamese hot pot?
What is banh bao?
What is bo kho?
What is bun mam?
What is the best seafood restaurant in Ho Chi Minh City?
What are the must-try dishes in Ho Chi Minh City?
What is a good Vietnamese cooking class in Saigon?
How do I make Vietnamese fresh spring rolls at home?
How do I make pho broth from scratch?
What spices are used in pho?
How long should pho broth simmer?
Can I make banh mi with a normal baguette?
What is pate in banh mi made from?
What is Vietnamese fish sauce brand Phu Quoc famous for?
Is Vietnamese food very spicy?
What is a banh mi op la?
What is the most popular Vietnamese dessert?
What is the etiquette for using chopsticks in Vietnam?
What do Vietnamese people eat during Tet?
What is banh chung?
What is thit kho trung, braised pork with eggs?
What is Vietnamese salt coffee?
Where can I find late-night food in District 1?
Is it safe to eat ice in drinks in Saigon?
What is tra da, the free iced tea at eateries?
Which Saigon food markets are open at night?
"""

STANDALONE["near-museum-logistics"] = """
What time does the museum open today?
What are the museum's opening hours on weekends?
Is the museum open on Mondays?
Is the museum closed on public holidays?
How much is an adult ticket for the museum?
Are there discounts for students?
Do children get in for free?
Can I buy museum tickets online?
Do I need to book tickets in advance?
Is there a family ticket?
Where is the ticket office?
Can I pay by credit card at the ticket counter?
Is there parking at the museum?
How much does parking cost here?
Where can I park my motorbike?
Is there bicycle parking near the entrance?
Where are the toilets?
Are there baby changing facilities?
Is the museum wheelchair accessible?
Do you have wheelchairs I can borrow?
Is there a lift to the upper floors?
Are guide dogs allowed inside?
Is there a gift shop?
What time does the gift shop close?
Can I buy postcards in the gift shop?
Can I take photos inside the museum?
Is flash photography allowed?
Can I use a tripod in the galleries?
Are drones allowed outside the museum?
Is filming with a phone allowed?
Is there a cloakroom?
Can I leave my backpack somewhere?
Are there lockers for visitors?
Can I bring a large suitcase into the museum?
How do I book a guided tour?
Are guided tours available in English?
How long does a guided tour take?
How much does a private guide cost?
Is there an audio guide?
What languages is the audio guide available in?
Can I rent an audio guide at the entrance?
Is there free wifi in the museum?
What is the wifi password?
Is there a cafe in the museum?
Can I eat and drink inside the galleries?
Is there a place to buy water?
Can I bring food into the museum?
How long does it take to see the whole museum?
What is the last entry time?
Is there a dress code for visitors?
Can I wear shorts to the museum?
Do I need to take off my shoes?
Is smoking allowed on the museum grounds?
Where is the nearest bus stop to the museum?
How do I get to the museum by taxi?
What is the museum's address?
What is the museum's phone number?
How can I contact the museum by email?
Is there a lost and found office?
I lost my wallet in the museum, who should I ask?
Where is the first aid room?
Is there a nursing room for mothers?
Can I bring a stroller inside?
Are pets allowed in the museum?
Is there a map of the museum?
Where can I get a floor plan?
Is there an exit near the cafe?
Where is the emergency exit?
Are there benches to rest on inside?
Is the museum air-conditioned?
Can school groups book a visit?
How many people can join a group tour?
Do you offer workshops for children?
Is there an education programme for schools?
Are there any temporary exhibitions right now?
When does the next special exhibition open?
Is the museum crowded on Sunday mornings?
What is the quietest time to visit?
Can I re-enter the museum with the same ticket?
Is my ticket valid all day?
Can I get a refund if I cannot come?
Do you sell annual passes?
Is there a membership programme?
How can I volunteer at the museum?
Is the museum hiring staff?
Can I donate an object to the museum?
Do you have a newsletter I can sign up for?
Is there an app for the museum?
Are there charging points for phones?
Is there a prayer room?
Are the exhibit labels in English?
Do you have information in braille?
Is sign language interpretation available on tours?
Can I hold a private event at the museum?
Do you rent out the museum hall for weddings?
Is there an ATM near the museum?
Can I pay with Momo or a QR code?
Where can I store my umbrella?
Is the museum open late on Fridays?
What time do the security checks start?
Will my bag be searched at the entrance?
Are power banks allowed inside?
Is there a souvenir stamp for my passport book?
Can I bring my own guide?
Is there a quiet room for visitors with autism?
Can I sketch in the galleries?
"""

STANDALONE["near-other-revolutionaries"] = """
When was Vladimir Lenin born?
What was Lenin's real surname?
Where did Lenin live while in exile in Switzerland?
How did Lenin return to Russia in 1917?
What did Lenin write in What Is to Be Done?
Why is Lenin's body still on display in Moscow?
Who was Lenin's wife, Nadezhda Krupskaya?
Where was Mao Zedong born?
What was the Long March led by Mao?
How many wives did Mao Zedong have?
What is Mao's Little Red Book?
When did Mao Zedong die?
What did Mao do as a young librarian in Beijing?
Where did Zhou Enlai study abroad?
What role did Zhou Enlai play as Chinese premier?
How did Zhou Enlai die?
Where was Che Guevara born?
Why did Che Guevara leave Cuba?
How was Che Guevara captured in Bolivia?
What did Che Guevara study before becoming a revolutionary?
What is The Motorcycle Diaries about?
Where is Che Guevara buried?
When was Fidel Castro born?
How long did Fidel Castro rule Cuba?
Where did Fidel Castro go to school?
How many assassination attempts did Fidel Castro survive?
What did Fidel Castro's speech History Will Absolve Me argue?
Where was Mahatma Gandhi born?
What was Gandhi's Salt March?
How did Gandhi die?
Where did Gandhi study law?
What did Gandhi do in South Africa?
How many years did Nelson Mandela spend in prison?
What was Robben Island like for Mandela?
When did Nelson Mandela become president of South Africa?
What is Mandela's autobiography called?
Where was Sun Yat-sen born?
Why is Sun Yat-sen called the father of modern China?
What are Sun Yat-sen's Three Principles of the People?
Where did Simon Bolivar die?
How many countries did Simon Bolivar liberate?
Who was Simon Bolivar's wife?
When was Sukarno born?
What is Sukarno's Pancasila?
How did Sukarno lose power in Indonesia?
When was Kim Il-sung born?
How long did Kim Il-sung rule North Korea?
What was Pol Pot's real name?
Where did Pol Pot study in France?
How did Pol Pot die?
Where was George Washington born?
Did George Washington really have wooden teeth?
What was Mount Vernon, George Washington's home?
Who was Toussaint Louverture?
How did Toussaint Louverture die in a French prison?
Who was Leon Trotsky and how was he killed?
Where was Trotsky living in exile in Mexico?
Who was Rosa Luxemburg?
Who was Jose Marti?
Who was Emiliano Zapata?
Who was Pancho Villa?
Who was Giuseppe Garibaldi?
What did Karl Marx write in Das Kapital?
Where is Karl Marx buried?
Who was Friedrich Engels?
Who was Patrice Lumumba?
Who was Thomas Sankara?
Who was Kwame Nkrumah?
Who was Jomo Kenyatta?
Who was Amilcar Cabral?
Who was Augusto Sandino?
Who was Michael Collins, the Irish revolutionary?
What happened to Joseph Stalin's first wife?
Where was Joseph Stalin born?
How did Rosa Parks start the Montgomery bus boycott?
Who was Martin Luther King Jr.?
Who was Malcolm X?
Who was Jose Rizal of the Philippines?
Who was Andres Bonifacio?
Who was Aung San of Burma?
Who was Mustafa Kemal Ataturk?
Who was Gamal Abdel Nasser?
Who was Maximilien Robespierre?
Who was Lafayette and what did he do in America?
Who was Thomas Paine?
Who was Samuel Adams?
"""

STANDALONE["near-other-leaders"] = """
When was Abraham Lincoln born?
How did Abraham Lincoln die?
Where did Winston Churchill go to school?
Did Winston Churchill win a Nobel Prize for literature?
How many times was Franklin D. Roosevelt elected president?
What illness did Franklin D. Roosevelt have?
Who was Charles de Gaulle's wife?
Where is Charles de Gaulle buried?
How old was John F. Kennedy when he became president?
Who shot John F. Kennedy?
How long was Margaret Thatcher prime minister?
What was Margaret Thatcher's nickname?
Where did Angela Merkel grow up?
What did Angela Merkel study at university?
Where was Barack Obama born?
What books has Barack Obama written?
Who is Barack Obama's wife?
What was Napoleon's height really?
Where was Napoleon exiled?
How did Napoleon die?
How long did Queen Elizabeth II reign?
Who was Lee Kuan Yew?
How did Lee Kuan Yew transform Singapore?
Who was Jawaharlal Nehru?
Who was Indira Gandhi and how did she die?
Who was Mikhail Gorbachev?
What was perestroika?
Who was Deng Xiaoping and what reforms did he start?
Who was Park Chung-hee?
Who was Konrad Adenauer?
Who was Golda Meir?
Who was Benazir Bhutto?
Who was Otto von Bismarck?
Who is the current president of France?
Who is the prime minister of Japan?
Who is the president of the United States right now?
How old is the king of Thailand?
Who was King Bhumibol Adulyadej?
Who was Queen Victoria?
Who was Catherine the Great?
Who was Peter the Great?
Who was Louis XIV?
Who was Julius Caesar?
Who was Augustus, the first Roman emperor?
Who was Ronald Reagan before politics?
What did Jimmy Carter do after his presidency?
Who was Theodore Roosevelt?
Who was Thomas Jefferson?
What did Thomas Jefferson invent?
Who was Emperor Meiji?
Who was Emperor Hirohito?
Who was Chiang Kai-shek?
Who was Mahathir Mohamad?
Who was Corazon Aquino?
Who was Ferdinand Marcos?
Who was Suharto?
Who was Hun Sen?
Who was King Norodom Sihanouk?
Who is Xi Jinping?
Who was Boris Yeltsin?
Who is Vladimir Putin?
Who was Tony Blair?
Who is the secretary-general of the United Nations?
Who was the first female prime minister in the world?
Who was the youngest president of the United States?
How many US presidents have been assassinated?
Which US president served the longest?
Who was Eva Peron?
Who was Haile Selassie?
Who was Julius Nyerere?
Who was Pierre Trudeau?
Who was Jacinda Ardern?
Who was Francois Mitterrand?
Who was Helmut Kohl?
Who was Golda Meir's successor?
"""

STANDALONE["near-vietnam-general"] = """
How many people live in Vietnam?
What is the capital of Vietnam?
What currency does Vietnam use?
How much is one US dollar in Vietnamese dong?
Why are there so many zeros on Vietnamese banknotes?
What language is spoken in Vietnam?
How many tones does Vietnamese have?
Is Vietnamese hard to learn for English speakers?
Why does Vietnamese use the Latin alphabet?
What was chu Nom?
How do I say hello in Vietnamese?
How do I say thank you in Vietnamese?
What does xin chao mean?
How do Vietnamese people address an uncle or an aunt?
What does the word anh mean in Vietnamese?
How long is Vietnam from north to south?
How many provinces does Vietnam have?
What is the highest mountain in Vietnam?
How tall is Fansipan?
What is the longest river in Vietnam?
What countries border Vietnam?
What is the climate like in northern Vietnam?
When is typhoon season in central Vietnam?
How many islands are in Ha Long Bay?
How do I book an overnight cruise in Ha Long Bay?
Is Lan Ha Bay less crowded than Ha Long Bay?
What is Hoi An ancient town famous for?
When is the lantern festival in Hoi An?
Can I get a suit tailored in Hoi An?
What is the Japanese Covered Bridge in Hoi An?
What is Tet, the Vietnamese Lunar New Year?
When is Tet this year?
What do people do during Tet?
What is lucky money, li xi?
What is the Mid-Autumn Festival in Vietnam?
What is the national flower of Vietnam?
What is the national sport of Vietnam?
What is the Vietnamese conical hat called?
What is the ao dai and when is it worn?
What is water puppetry?
Where can I see a water puppet show in Hanoi?
What is Vietnamese ca tru singing?
What is quan ho folk singing?
What is the dan bau instrument?
What is Son Doong cave?
How do I visit Phong Nha-Ke Bang National Park?
Is Sa Pa good for trekking?
What ethnic groups live around Sa Pa?
How many ethnic groups are there in Vietnam?
What is the Ha Giang loop?
Is Phu Quoc island worth visiting?
What is Da Lat known for?
What is the Golden Bridge near Da Nang?
What is Ba Na Hills?
What is the Hai Van Pass?
Can I visit the Hue imperial citadel?
What are the Marble Mountains near Da Nang?
What is My Son sanctuary?
What is Trang An in Ninh Binh?
What is Tam Coc?
What is Hanoi's Old Quarter like?
What is Hoan Kiem Lake famous for?
What is the One Pillar Pagoda?
What is Hanoi train street?
Is Vietnam safe for solo female travellers?
What is the best time of year to visit Vietnam?
How do I travel from Hanoi to Ho Chi Minh City by train?
How long does the Reunification Express train take?
Is it cheaper to fly or take the train in Vietnam?
What are Vietnam's main exports?
Is Vietnam the second largest coffee producer in the world?
What is the average salary in Vietnam?
What is the literacy rate in Vietnam?
What time zone is Vietnam in?
What is the emergency phone number in Vietnam?
Do I need to tip in Vietnam?
What plug sockets are used in Vietnam?
What is the Vietnamese national football team's best result?
Who is Park Hang-seo?
What are common Vietnamese family names?
Why do so many Vietnamese people have the surname Nguyen?
How do Vietnamese names work?
What is the Mekong Delta like?
What is the Cai Rang floating market?
What is Con Dao island like today?
What is the Vietnamese zodiac and why is there a cat?
What is the Vietnamese word for grandfather?
Is Vietnamese related to Chinese?
What are Vietnamese wedding traditions?
What is a Vietnamese ancestral altar?
What is the legal drinking age in Vietnam?
How fast is the internet in Vietnam?
What is the population of Hanoi?
What is Mui Ne famous for?
Where are the best beaches in Vietnam?
What is Nha Trang like for diving?
"""

# ----- longer, chattier questions (visitors often type full sentences) -----
LONGER = {
    "science": """
My daughter asked me why the ocean is salty but rivers are not, and I honestly had no idea, can you explain it simply?
If I drop a feather and a hammer on the Moon at the same time, which one hits the ground first and why?
Why does my ice cube crack and pop when I put it into a glass of warm lemonade on a hot afternoon?
""",
    "math": """
If a shirt costs 400,000 dong after a 20 percent discount, what was the original price before the discount was applied?
I have a loan of ten thousand dollars at five percent interest per year, how much will I owe after three years?
Can you explain in plain words why the probability of two people sharing a birthday in a room of 23 is about half?
""",
    "geography": """
I always mix them up, so which one is further north on the map, Oslo in Norway or Helsinki in Finland?
Is it true that you can stand in four different American states at the same time at a place called Four Corners?
""",
    "world-history": """
I'm reading about ancient Rome and I don't understand, why did Julius Caesar crossing the Rubicon river become such a big deal?
What was daily life like for ordinary farmers in medieval Europe, compared with the lives of knights and nobles?
How did the Silk Road actually work, did single merchants travel all the way from China to Europe or not?
""",
    "sports": """
My son wants to join a football club this summer, what age is usually the best to start playing competitively?
Can you explain the rules of cricket to someone who has never watched a single match in their entire life?
""",
    "cooking": """
I only have eggs, an onion, some old rice and a bit of cheese in the fridge, what can I make for dinner tonight?
How do I stop my homemade bread from coming out dense and heavy even though I follow the recipe exactly?
""",
    "health": """
I've been getting headaches every afternoon at work for about two weeks now, could it be caused by staring at my screen?
Is it really necessary to walk ten thousand steps a day, or is that number just a marketing idea from a pedometer company?
""",
    "technology": """
My grandmother wants a simple phone just for calls and video chats with the family, which model would you recommend for her?
Every time I plug my laptop into the projector the screen goes black, what settings should I check before my presentation?
""",
    "programming": """
I'm getting an error that says list index out of range in my Python loop, what does that mean and how do I fix it?
What is the best way to structure a small web project so that the frontend and backend code stay clean and easy to maintain?
""",
    "music": """
I want to learn guitar but my fingers hurt after ten minutes of practice, is that normal and when does it stop?
Can you recommend some calm instrumental music I could play in the background while I work on my thesis at night?
""",
    "film": """
My friends and I are having a movie night this Saturday, can you suggest a funny film that everyone from teenagers to grandparents will enjoy?
""",
    "literature": """
I want to get back into reading after many years, which short classic novel would be a good first book to start with?
""",
    "animals": """
We just adopted a rescue cat and she hides under the bed all day, how long does it take for a cat to settle in?
Why do dogs turn around in circles several times before they finally lie down to sleep at night?
""",
    "weather": """
We're planning a picnic in the park on Sunday afternoon, how likely is it to rain and should we choose another day?
""",
    "travel": """
I'm flying to Europe for the first time next spring, which three cities would you combine for a ten-day trip by train?
Is it a good idea to travel with only a carry-on bag for a two-week trip through several countries in South America?
""",
    "finance": """
I'm twenty-five and just got my first real job, what percentage of my salary should I be putting into savings each month?
""",
    "law": """
My landlord is refusing to return my deposit even though I left the apartment clean, what are my options in this situation?
""",
    "language": """
I've been studying English for years but I still can't understand native speakers in movies, what am I doing wrong and how can I improve?
""",
    "space": """
If I could travel at the speed of light, how long would it take me to reach the nearest star outside our solar system?
""",
    "smalltalk": """
It's been a long and tiring day for me, so I just wanted to say hello and ask, how has your day been?
Do you ever get tired of answering questions from tourists all day, or do you actually enjoy chatting with people?
Sorry, I'm just killing time while my friends finish their coffee outside, can we talk about something random?
""",
    "jokes": """
I need a short and clean joke to open my speech at my sister's wedding next week, do you have anything good?
""",
    "homework": """
My teacher wants a five-hundred-word essay on climate change by Monday, can you help me come up with an outline and main arguments?
""",
    "careers": """
I've worked in accounting for eight years but I'm bored, how can I move into software development without going back to university?
""",
    "relationships": """
My best friend forgot my birthday this year and I feel hurt, should I tell her or just let it go quietly?
""",
    "parenting": """
My four-year-old refuses to eat any vegetables except corn, what tricks do other parents use to get their kids to try new foods?
""",
    "near-vietnam-history": """
I read that Vietnam defeated the Mongols three times in the thirteenth century, how was such a small kingdom able to do that?
Could you explain the difference between the Nguyen lords and the later Nguyen dynasty, because I keep confusing the two of them?
What do historians think about Emperor Gia Long, was he a unifier of the country or did he open the door to the French?
I'm curious about Vietnam's economy today, which sectors are growing fastest and how has foreign investment changed since the 1990s?
""",
    "near-hcmc-travel": """
We land at Tan Son Nhat late at night with two small children, what is the safest and easiest way to reach our hotel in District 1?
I only have one free afternoon in Ho Chi Minh City after my business meeting, what would you recommend I see before my evening flight?
Is it better to stay near Bui Vien street for the nightlife or somewhere quieter like District 3 if I am travelling with my parents?
""",
    "near-hcmc-food": """
I'm a vegetarian visiting Saigon for a week, which local dishes can I eat and how do I explain that I don't eat fish sauce?
My friend says the best banh mi in the world is in Saigon and not in Hanoi, is that true and where should I try one?
""",
    "near-museum-logistics": """
We're a group of fifteen retired teachers visiting next Thursday morning, do we need to book a guide in advance or can we just show up?
My father uses a wheelchair and gets tired quickly, is there a route through the museum without stairs and places where he can rest?
Is it possible to leave our big suitcases somewhere safe for a couple of hours, since we're going straight to the airport after our visit?
""",
    "near-other-revolutionaries": """
I'm writing a school report comparing Simon Bolivar and George Washington, what did they have in common and how were their lives different?
Why did Che Guevara, who was born in Argentina and trained as a doctor, end up fighting in Cuba, the Congo and Bolivia?
""",
    "near-other-leaders": """
I just watched a documentary about Winston Churchill and I'm curious, what was his childhood like and was he really a bad student?
How did Lee Kuan Yew manage to turn Singapore from a small port into one of the richest countries in the world within a few decades?
""",
    "near-vietnam-general": """
We have two weeks in Vietnam next February, is it better to travel from north to south or the other way around because of the weather?
My Vietnamese friend calls an older man she doesn't know uncle, is that a normal way to address people in Vietnam?
How difficult is it for a foreigner to pronounce the six tones of Vietnamese, and do people understand you if you get them wrong?
""",
}
for _cat, _block in LONGER.items():
    STANDALONE[_cat] = STANDALONE.get(_cat, "") + _block

# extra frames for thinner categories are declared after FRAMES (see below)

# ---------------------------------------------------------------------------
# 2. Hand-written entity lists
# ---------------------------------------------------------------------------
ENT = {}

ENT["country"] = [
    "Japan", "Brazil", "Kenya", "Canada", "Norway", "Peru", "Egypt", "Australia",
    "Mexico", "India", "Germany", "Italy", "Spain", "Portugal", "Argentina",
    "Chile", "Morocco", "Nigeria", "South Africa", "Sweden", "Finland", "Poland",
    "Turkey", "Iran", "Thailand", "Malaysia", "Indonesia", "the Philippines",
    "South Korea", "Mongolia", "Nepal", "Bhutan", "Sri Lanka", "New Zealand",
    "Iceland", "Ireland", "Greece", "Switzerland", "Austria", "Hungary",
    "Colombia", "Ecuador", "Bolivia", "Cuba", "Jamaica", "Ethiopia", "Ghana",
    "Tanzania", "Madagascar", "Kazakhstan", "Uzbekistan", "Saudi Arabia",
    "Jordan", "Israel", "Pakistan", "Bangladesh", "Singapore", "Fiji",
    "the Netherlands", "Belgium",
]
ENT["world_city"] = [
    "Tokyo", "Paris", "London", "New York", "Sydney", "Cairo", "Rio de Janeiro",
    "Istanbul", "Bangkok", "Seoul", "Berlin", "Rome", "Madrid", "Lisbon",
    "Mexico City", "Buenos Aires", "Cape Town", "Dubai", "Singapore", "Toronto",
    "Vancouver", "Amsterdam", "Prague", "Vienna", "Budapest", "Marrakech",
    "Kyoto", "Hong Kong", "Taipei", "Kuala Lumpur", "Bali", "Reykjavik",
    "Edinburgh", "Dublin", "Athens", "Copenhagen", "Stockholm", "San Francisco",
]
ENT["world_dish"] = [
    "lasagne", "paella", "ramen", "butter chicken", "pad thai", "beef stroganoff",
    "shakshuka", "moussaka", "tacos al pastor", "fish and chips", "falafel",
    "goulash", "tiramisu", "cheesecake", "banana bread", "chicken tikka masala",
    "bibimbap", "risotto", "carbonara", "chili con carne", "hummus",
    "apple pie", "beef wellington", "jollof rice", "ratatouille", "gnocchi",
    "miso soup", "dumplings", "lemon drizzle cake", "nasi goreng", "croissants",
    "sourdough bread", "pancakes", "clam chowder", "gazpacho",
]
ENT["animal"] = [
    "elephants", "dolphins", "wolves", "octopuses", "owls", "crocodiles",
    "penguins", "giraffes", "kangaroos", "bats", "honeybees", "sharks",
    "tortoises", "parrots", "hedgehogs", "rabbits", "horses", "camels",
    "polar bears", "tigers", "jellyfish", "ants", "flamingos", "sloths",
    "axolotls", "orangutans", "seahorses", "hummingbirds", "koalas", "lions",
    "ferrets", "guinea pigs", "snails", "eagles",
]
ENT["pet"] = [
    "a dog", "a cat", "a rabbit", "a hamster", "a goldfish", "a parrot",
    "a tortoise", "a guinea pig", "a bearded dragon", "a budgie",
]
ENT["sport"] = [
    "rugby", "cricket", "ice hockey", "water polo", "fencing", "curling",
    "handball", "lacrosse", "badminton", "baseball", "volleyball", "squash",
    "archery", "judo", "netball", "field hockey", "table tennis", "golf",
    "snooker", "sumo wrestling", "pickleball", "polo",
]
ENT["science_concept"] = [
    "osmosis", "plate tectonics", "natural selection", "the Doppler effect",
    "nuclear fusion", "radioactive decay", "photosynthesis", "superconductivity",
    "general relativity", "the greenhouse effect", "mitosis", "electromagnetism",
    "thermodynamics", "oxidation", "the water cycle", "genetic mutation",
    "buoyancy", "friction", "inertia", "antibiotic resistance", "ionic bonding",
    "the carbon cycle", "refraction", "the immune response",
]
ENT["element"] = [
    "helium", "lithium", "sodium", "mercury", "uranium", "titanium", "copper",
    "silicon", "neon", "calcium", "iron", "zinc", "platinum", "chlorine",
]
ENT["prog_lang"] = [
    "Python", "JavaScript", "Java", "C++", "Go", "Rust", "Ruby", "PHP", "Kotlin",
    "Swift", "C#", "TypeScript",
]
ENT["prog_task"] = [
    "read a text file line by line", "sort a list of numbers",
    "remove duplicates from an array", "parse JSON", "get the current date",
    "split a string by commas", "generate a random number",
    "check if a key exists in a map", "write to a file", "reverse a list",
    "convert a number to a string", "make an HTTP GET request",
    "find the length of a string", "loop over a dictionary",
]
ENT["instrument"] = [
    "the violin", "the piano", "the ukulele", "the saxophone", "the drums",
    "the trumpet", "the flute", "the harp", "the cello", "the bass guitar",
    "the clarinet", "the accordion", "the harmonica", "the banjo",
]
ENT["music_genre"] = [
    "jazz", "blues", "heavy metal", "reggae", "bossa nova", "techno", "punk rock",
    "country music", "opera", "flamenco", "soul music", "lo-fi hip hop",
    "disco", "gospel", "bluegrass",
]
ENT["film_genre"] = [
    "science fiction", "horror", "romantic comedy", "animated", "war", "western",
    "heist", "mystery", "fantasy", "courtroom drama", "musical", "superhero",
    "disaster", "coming-of-age",
]
ENT["book"] = [
    "Moby-Dick", "Jane Eyre", "Crime and Punishment", "The Catcher in the Rye",
    "To Kill a Mockingbird", "Brave New World", "The Hobbit", "Dracula",
    "Wuthering Heights", "Anna Karenina", "The Name of the Rose", "Beloved",
    "The Road", "Middlemarch", "Lolita", "The Trial", "Madame Bovary",
    "Les Miserables", "Little Women", "Animal Farm", "The Alchemist",
    "The Handmaid's Tale", "Norwegian Wood", "Dune",
]
ENT["planet"] = [
    "Mercury", "Venus", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune",
    "Pluto", "the Moon", "Europa", "Titan", "Io",
]
ENT["painter"] = [
    "Rembrandt", "Salvador Dali", "Henri Matisse", "Jackson Pollock",
    "Georgia O'Keeffe", "Katsushika Hokusai", "Gustav Klimt", "Caravaggio",
    "Andy Warhol", "Paul Cezanne", "Edgar Degas", "Rene Magritte",
    "Wassily Kandinsky", "Johannes Vermeer", "Michelangelo", "Raphael",
    "Edward Hopper", "Mark Rothko",
]
ENT["car_brand"] = [
    "Toyota", "Honda", "BMW", "Mercedes-Benz", "Volkswagen", "Ford", "Hyundai",
    "Kia", "Tesla", "Mazda", "Subaru", "Volvo", "Audi", "Porsche", "Nissan",
    "Peugeot", "Skoda", "Lexus",
]
ENT["car_part"] = [
    "the timing belt", "the brake fluid", "the air filter", "the spark plugs",
    "the car battery", "the windscreen wipers", "the coolant", "the clutch",
    "the tyres", "the cabin filter",
]
ENT["garment"] = [
    "a leather jacket", "white sneakers", "a linen shirt", "a maxi dress",
    "wide-leg trousers", "a denim jacket", "a wool coat", "a silk blouse",
    "chelsea boots", "a pleated skirt", "a hoodie", "a blazer", "cargo pants",
    "a turtleneck",
]
ENT["occasion"] = [
    "a beach wedding", "a job interview", "a funeral", "a summer festival",
    "a business dinner", "a graduation ceremony", "a first date",
    "a winter trip to Korea", "a black-tie gala", "a hiking trip",
]
ENT["video_game"] = [
    "The Legend of Zelda: Breath of the Wild", "Minecraft", "Stardew Valley",
    "Elden Ring", "The Witcher 3", "Red Dead Redemption 2", "Animal Crossing",
    "Hollow Knight", "Portal 2", "Dark Souls", "Overwatch", "Counter-Strike",
    "Mario Kart 8", "Valorant", "Civilization VI", "Tetris",
]
ENT["board_game"] = [
    "Catan", "Ticket to Ride", "Carcassonne", "Risk", "Scrabble", "Cluedo",
    "Pandemic", "backgammon", "checkers", "Go", "Chinese chess", "Codenames",
]
ENT["joke_topic"] = [
    "penguins", "pirates", "teachers", "cats", "dinosaurs", "coffee",
    "accountants", "the weather", "vegetables", "astronauts", "lawyers",
    "football", "Mondays", "my boss", "grandmas", "physics", "bananas",
    "robots", "vampires", "spiders", "pizza", "cows", "chemists",
]
ENT["school_subject"] = [
    "algebra", "geometry", "chemistry", "physics", "biology", "English literature",
    "economics", "statistics", "French grammar", "world geography",
    "computer science", "calculus", "trigonometry", "essay writing",
]
ENT["illness"] = [
    "a cold", "the flu", "a migraine", "asthma", "eczema", "hay fever",
    "insomnia", "back pain", "high blood pressure", "anaemia", "food poisoning",
    "a sore throat", "acid reflux", "tendonitis", "dengue fever", "chickenpox",
]
ENT["food_item"] = [
    "avocados", "eggs", "brown rice", "oats", "spinach", "salmon", "almonds",
    "bananas", "tofu", "lentils", "greek yogurt", "sweet potatoes", "kale",
    "chia seeds", "red meat", "white bread", "coconut oil", "blueberries",
]
ENT["language_name"] = [
    "Spanish", "French", "German", "Japanese", "Korean", "Mandarin", "Arabic",
    "Italian", "Portuguese", "Russian", "Thai", "Hindi", "Swahili", "Dutch",
    "Turkish", "Greek", "Indonesian", "Polish",
]
ENT["phrase"] = [
    "good morning", "thank you very much", "where is the train station",
    "I am lost", "how much does this cost", "nice to meet you", "cheers",
    "happy birthday", "I love you", "excuse me", "see you tomorrow",
    "the bill, please",
]
ENT["english_word"] = [
    "ubiquitous", "ephemeral", "sonder", "petrichor", "quixotic", "mellifluous",
    "schadenfreude", "laconic", "defenestration", "sycophant", "juxtaposition",
    "onomatopoeia", "ambivalent", "pragmatic", "nostalgia", "hubris", "zeitgeist",
    "cacophony", "resilience", "wanderlust",
]
ENT["grammar_pair"] = [
    "lie and lay", "fewer and less", "who and that", "i.e. and e.g.",
    "farther and further", "principal and principle", "compliment and complement",
    "loose and lose", "stationary and stationery", "imply and infer",
    "among and between", "since and for", "accept and except", "advice and advise",
]
ENT["finance_term"] = [
    "a mutual fund", "a bond yield", "a stock split", "a margin call",
    "dollar-cost averaging", "a high-yield savings account", "an annuity",
    "short selling", "a credit union", "quantitative easing", "a 401(k)",
    "an overdraft", "a certificate of deposit", "stagflation", "a bull market",
    "liquidity", "net worth",
]
ENT["law_topic"] = [
    "a restraining order", "a class action lawsuit", "probate", "an affidavit",
    "a plea bargain", "double jeopardy", "an easement", "a subpoena",
    "adverse possession", "a living will", "bail", "a cease and desist letter",
    "eminent domain", "a tort",
]
ENT["religion"] = [
    "Buddhism", "Hinduism", "Islam", "Judaism", "Christianity", "Sikhism",
    "Taoism", "Shinto", "Jainism", "Zoroastrianism", "the Baha'i faith",
    "Confucianism",
]
ENT["business_topic"] = [
    "a marketing funnel", "a minimum viable product", "a profit margin",
    "a go-to-market strategy", "a pitch deck", "a loyalty programme",
    "inventory management", "a customer persona", "a break-even point",
    "a non-compete clause", "a subscription model", "an elevator pitch",
    "a cost-benefit analysis", "a value proposition",
]
ENT["business_kind"] = [
    "a bakery", "a coffee shop", "an online clothing store", "a cleaning company",
    "a food truck", "a dog-walking business", "a bookshop", "a tutoring business",
    "a photography studio", "a bike repair shop", "a yoga studio",
    "a mobile app startup",
]
ENT["philosopher"] = [
    "Aristotle", "Plato", "Epicurus", "Spinoza", "John Locke", "David Hume",
    "Jean-Paul Sartre", "Albert Camus", "Ludwig Wittgenstein", "Hannah Arendt",
    "Soren Kierkegaard", "Thomas Hobbes", "John Stuart Mill", "Marcus Aurelius",
    "Seneca", "Laozi", "Mencius", "Bertrand Russell",
]
ENT["houseplant"] = [
    "a snake plant", "a monstera", "a peace lily", "a fiddle leaf fig",
    "an aloe vera", "a pothos", "a cactus", "a bonsai tree", "basil",
    "a spider plant", "an orchid", "lavender", "a rubber plant", "mint",
]
ENT["job"] = [
    "an architect", "a pharmacist", "a firefighter", "a UX designer",
    "an electrician", "a veterinarian", "a journalist", "an air traffic controller",
    "a translator", "a physiotherapist", "a data analyst", "a flight attendant",
    "a marine biologist", "an accountant", "a game developer", "a dentist",
]
ENT["product"] = [
    "a robot vacuum", "a standing desk", "noise-cancelling headphones",
    "an electric kettle", "a gaming chair", "a smartwatch", "a rice cooker",
    "a mechanical keyboard", "an e-reader", "a dehumidifier", "a blender",
    "hiking boots", "a tablet for drawing", "a portable projector",
]
ENT["env_topic"] = [
    "ocean acidification", "desertification", "overfishing", "light pollution",
    "e-waste", "fast fashion waste", "methane emissions", "glacier retreat",
    "soil erosion", "invasive species", "urban heat islands", "palm oil farming",
]
ENT["psych_topic"] = [
    "the sunk cost fallacy", "learned helplessness", "the spotlight effect",
    "decision fatigue", "the Zeigarnik effect", "social anxiety",
    "seasonal affective disorder", "groupthink", "the anchoring bias",
    "the growth mindset", "attachment styles", "emotional burnout",
]
ENT["myth_figure"] = [
    "Poseidon", "Hades", "Aphrodite", "Apollo", "Freya", "Isis", "Osiris",
    "Quetzalcoatl", "Shiva", "Amaterasu", "Perseus", "Achilles", "Odysseus",
    "Prometheus", "Medea", "Baldur", "Cu Chulainn", "Hanuman",
]
ENT["tv_show"] = [
    "Breaking Bad", "The Crown", "Friends", "Stranger Things", "The Sopranos",
    "Sherlock", "The Wire", "Succession", "The Mandalorian", "Seinfeld",
    "Downton Abbey", "Planet Earth", "The Last of Us", "Fleabag", "Dark",
    "Money Heist",
]
ENT["university"] = [
    "Oxford", "Harvard", "MIT", "Stanford", "Cambridge", "the University of Tokyo",
    "ETH Zurich", "the National University of Singapore", "Sorbonne University",
    "the University of Melbourne", "Yale", "McGill University",
]
ENT["trivia_thing"] = [
    "the fork", "chess", "ice cream", "the bicycle", "the sandwich", "paper money",
    "the pencil", "the umbrella", "soap", "the calendar", "the compass",
    "the piano", "the microscope", "the toothbrush", "the zip", "the wheel",
    "the telescope", "the parachute",
]
ENT["weather_thing"] = [
    "a sandstorm", "freezing rain", "a waterspout", "ball lightning",
    "a polar vortex", "sleet", "a derecho", "a heat dome", "a dust devil",
    "an ice storm", "sea fog", "a flash flood",
]
ENT["month"] = [
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
]

# --- near-miss entity lists ---------------------------------------------
ENT["vn_figure"] = [
    "Ngo Quyen", "Trung Trac", "Lady Trieu", "Dinh Bo Linh", "Le Hoan",
    "Ly Thai To", "Ly Thuong Kiet", "Tran Hung Dao", "Tran Nhan Tong",
    "Tran Quoc Toan", "Ho Quy Ly", "Le Loi", "Nguyen Trai", "Le Thanh Tong",
    "Mac Dang Dung", "Quang Trung", "Nguyen Nhac", "Gia Long", "Minh Mang",
    "Tu Duc", "Ham Nghi", "Duy Tan", "Khai Dinh", "Bao Dai",
    "Empress Nam Phuong", "Ngo Dinh Diem", "Phan Boi Chau", "Phan Chu Trinh",
    "Nguyen Thai Hoc", "Nguyen Du", "Ho Xuan Huong", "Le Duan",
    "Nguyen Van Linh", "Vo Van Kiet", "Truong Dinh", "Hoang Hoa Tham",
    "Nguyen Trung Truc", "Le Van Duyet", "Chu Van An", "Nguyen Binh Khiem",
    "Le Quy Don", "Yet Kieu",
]
ENT["vn_dynasty"] = [
    "Ngo dynasty", "Dinh dynasty", "Early Le dynasty", "Ly dynasty",
    "Tran dynasty", "Ho dynasty", "Later Le dynasty", "Mac dynasty",
    "Tay Son dynasty", "Nguyen dynasty",
]
ENT["vn_dynasty_early"] = [
    "Ngo dynasty", "Dinh dynasty", "Early Le dynasty", "Ly dynasty",
    "Tran dynasty", "Ho dynasty", "Later Le dynasty", "Mac dynasty",
    "Tay Son dynasty",
]
ENT["vn_event"] = [
    "the Battle of Bach Dang in 938", "the Trung sisters' uprising",
    "the Lam Son uprising", "the Battle of Dong Da", "the Mongol invasions of Dai Viet",
    "the Battle of Chi Lang", "the Tay Son rebellion", "the Battle of Rach Gam-Xoai Mut",
    "the founding of Thang Long in 1010", "the Ming occupation of Dai Viet",
    "the Can Vuong movement", "the Dong Du movement", "the Yen Bai mutiny",
    "the Doi Moi reforms", "the 1979 Sino-Vietnamese border war",
    "Vietnam's accession to the WTO", "the fall of the Champa capital Vijaya",
    "the Battle of Bach Dang in 1288",
]
ENT["hcmc_sight"] = [
    "Ben Thanh Market", "the Saigon Notre-Dame Cathedral", "the Saigon Central Post Office",
    "Bui Vien Street", "Landmark 81", "the Reunification Palace",
    "the War Remnants Museum", "the Jade Emperor Pagoda", "Binh Tay Market",
    "the Saigon Opera House", "Nguyen Hue Walking Street", "Tao Dan Park",
    "the Bitexco Financial Tower", "Thien Hau Temple", "Dam Sen Water Park",
    "Suoi Tien Theme Park", "the Saigon Zoo and Botanical Garden",
    "the Fine Arts Museum in District 1", "the Tan Dinh pink church",
    "the Cu Chi tunnels",
]
ENT["hcmc_spot"] = [
    "Tan Son Nhat Airport", "Ben Thanh Market", "Bui Vien Street", "District 7",
    "Thao Dien", "Cholon", "the Saigon Notre-Dame Cathedral", "Landmark 81",
    "Phu My Hung", "Mien Dong bus station", "the Saigon railway station",
    "Nguyen Hue Walking Street", "District 3", "Binh Thanh District",
    "the Bach Dang ferry pier",
]
ENT["vn_city"] = [
    "Hanoi", "Da Nang", "Hue", "Hoi An", "Da Lat", "Nha Trang", "Can Tho",
    "Vung Tau", "Phan Thiet", "Phu Quoc", "Quy Nhon", "Buon Ma Thuot",
]
ENT["abroad_city"] = [
    "Bangkok", "Singapore", "Kuala Lumpur", "Seoul", "Tokyo", "Sydney",
    "Paris", "Phnom Penh", "Hong Kong", "Taipei", "Manila", "Dubai",
    "Frankfurt", "Los Angeles",
]
ENT["vn_dish"] = [
    "pho", "banh mi", "com tam", "bun bo Hue", "hu tieu", "banh xeo",
    "goi cuon", "cha gio", "bun thit nuong", "banh cuon", "bot chien",
    "banh khot", "bun rieu", "mi Quang", "cao lau", "ca kho to", "canh chua",
    "bo la lot", "banh trang nuong", "bun cha", "xoi man", "banh canh cua",
    "bo kho", "lau mam", "che ba mau", "banh bot loc", "bun mam", "ga nuong",
]
ENT["vn_drink"] = [
    "ca phe sua da", "egg coffee", "coconut coffee", "salt coffee",
    "sugarcane juice", "avocado smoothie", "tra da", "bac xiu",
    "artichoke tea", "rice wine", "Saigon beer", "soursop smoothie",
]
ENT["museum_day"] = [
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
    "Sunday",
]
ENT["museum_holiday"] = [
    "Tet", "New Year's Day", "Christmas Day", "the Mid-Autumn Festival",
    "Labour Day", "Easter Monday", "the Hung Kings' festival day",
]
ENT["visitor_group"] = [
    "students", "seniors", "children under six", "people with disabilities",
    "teachers", "school groups", "families with two kids", "tour groups",
    "military veterans", "university students with an ID card",
]
ENT["museum_item"] = [
    "a selfie stick", "a tripod", "a water bottle", "a large backpack",
    "a stroller", "my small dog", "an umbrella", "a laptop",
    "a professional camera", "a motorbike helmet", "snacks", "a drone",
]
ENT["tour_lang"] = [
    "English", "French", "Chinese", "Japanese", "Korean", "Russian", "German",
    "Spanish", "Thai", "Vietnamese",
]
ENT["museum_facility"] = [
    "toilet", "cafe", "gift shop", "ATM", "cloakroom", "first aid room",
    "lift", "car park", "drinking water fountain", "baby changing room",
    "ticket counter", "information desk",
]
ENT["revolutionary"] = [
    "Vladimir Lenin", "Mao Zedong", "Zhou Enlai", "Che Guevara", "Fidel Castro",
    "Mahatma Gandhi", "Nelson Mandela", "Sun Yat-sen", "Simon Bolivar",
    "Sukarno", "Kim Il-sung", "Pol Pot", "George Washington",
    "Toussaint Louverture", "Leon Trotsky", "Karl Marx", "Friedrich Engels",
    "Giuseppe Garibaldi", "Jose Marti", "Emiliano Zapata", "Patrice Lumumba",
    "Thomas Sankara", "Kwame Nkrumah", "Jose Rizal", "Aung San",
    "Mustafa Kemal Ataturk", "Joseph Stalin", "Rosa Luxemburg",
    "Maximilien Robespierre", "Jomo Kenyatta", "Michael Collins",
    "Augusto Sandino",
]
ENT["leader_dead"] = [
    "Abraham Lincoln", "Winston Churchill", "Franklin D. Roosevelt",
    "Charles de Gaulle", "John F. Kennedy", "Margaret Thatcher",
    "Napoleon Bonaparte", "Queen Elizabeth II", "Lee Kuan Yew",
    "Jawaharlal Nehru", "Indira Gandhi", "Mikhail Gorbachev", "Deng Xiaoping",
    "Konrad Adenauer", "Golda Meir", "Otto von Bismarck", "Theodore Roosevelt",
    "Thomas Jefferson", "Ronald Reagan", "Park Chung-hee", "Chiang Kai-shek",
    "Corazon Aquino", "Julius Nyerere", "Pierre Trudeau", "Francois Mitterrand",
    "Helmut Kohl", "Boris Yeltsin", "Catherine the Great", "Peter the Great",
    "Queen Victoria", "Julius Caesar", "Benazir Bhutto", "Haile Selassie",
    "King Bhumibol Adulyadej", "Emperor Meiji", "Shinzo Abe", "Jimmy Carter",
]
ENT["leader_living"] = [
    "Barack Obama", "Angela Merkel", "Jacinda Ardern", "Emmanuel Macron",
    "Tony Blair", "Mahathir Mohamad", "Justin Trudeau", "Narendra Modi",
    "Lula da Silva", "Xi Jinping", "Vladimir Putin", "Joko Widodo",
]
ENT["vn_place"] = [
    "Ha Long Bay", "Hoi An", "Sa Pa", "Da Lat", "Hue", "Da Nang", "Nha Trang",
    "Phu Quoc", "Ninh Binh", "Mui Ne", "Phong Nha", "Ha Giang", "Can Tho",
    "Con Dao", "Quy Nhon", "Cat Ba Island", "Mai Chau", "Hanoi's Old Quarter",
    "Ban Gioc Waterfall", "the Mekong Delta", "Moc Chau", "Tam Dao",
]
ENT["vn_phrase"] = [
    "good morning", "how much is this", "I love you", "excuse me",
    "where is the toilet", "delicious", "goodbye", "I am vegetarian",
    "too expensive", "help", "happy new year", "cheers", "sorry",
    "I don't understand", "uncle", "grandmother", "older brother",
    "no ice please", "left and right", "see you later",
]
ENT["vn_custom"] = [
    "the kitchen god festival", "giving lucky money at Tet", "the first footer at Tet",
    "ancestor worship", "the Hungry Ghost month", "red envelopes at weddings",
    "the Vu Lan festival", "betel nut at weddings", "the full-moon offerings",
    "burning joss paper", "the banh chung tradition", "the Perfume Pagoda pilgrimage",
]

# ---------------------------------------------------------------------------
# 3. Hand-written question frames: (category, frame)
#    Slots are {name} or {name2} (a second, different item from the same list).
# ---------------------------------------------------------------------------
FRAMES = [
    # science
    ("science", "Can you explain {science_concept} in simple terms?"),
    ("science", "What is a real-life example of {science_concept}?"),
    ("science", "Who first described {science_concept}?"),
    ("science", "What is {element} used for?"),
    ("science", "Is {element} toxic to humans?"),
    # math
    ("math", "What is {a} times {b}?"),
    ("math", "What is {n} divided by {d}?"),
    ("math", "Is {n} a prime number?"),
    ("math", "What is {p} percent of {n}?"),
    ("math", "What is the square root of {sq}?"),
    # geography
    ("geography", "What is the capital of {country}?"),
    ("geography", "How many people live in {country}?"),
    ("geography", "What languages are spoken in {country}?"),
    ("geography", "Which countries border {country}?"),
    ("geography", "What is the highest mountain in {country}?"),
    ("geography", "Is {country} bigger than {country2}?"),
    # world-history
    ("world-history", "What are the key turning points in the history of {country}?"),
    ("world-history", "What were the most important events in the history of {world_city}?"),
    ("world-history", "Who invented {trivia_thing}?"),
    # sports
    ("sports", "What are the basic rules of {sport}?"),
    ("sports", "How many players are on a {sport} team?"),
    ("sports", "Is {sport} an Olympic sport?"),
    ("sports", "What equipment do I need to start playing {sport}?"),
    ("sports", "Which country is best at {sport}?"),
    # cooking
    ("cooking", "How do I make {world_dish} at home?"),
    ("cooking", "What ingredients do I need for {world_dish}?"),
    ("cooking", "Can you give me an easy recipe for {world_dish}?"),
    ("cooking", "Can I freeze {world_dish}?"),
    ("cooking", "What wine goes well with {world_dish}?"),
    # health
    ("health", "What are the symptoms of {illness}?"),
    ("health", "How is {illness} treated?"),
    ("health", "Is {illness} contagious?"),
    ("health", "Is it healthy to eat {food_item} every day?"),
    ("health", "How many calories are in a portion of {food_item}?"),
    # technology / programming
    ("technology", "Is it worth buying {product} for home use?"),
    ("technology", "How do I set up {product}?"),
    ("programming", "How do I {prog_task} in {prog_lang}?"),
    ("programming", "Is {prog_lang} good for beginners?"),
    ("programming", "What is {prog_lang} mainly used for?"),
    ("programming", "Should I learn {prog_lang} or {prog_lang2} first?"),
    # music
    ("music", "How long does it take to learn {instrument}?"),
    ("music", "Is {instrument} hard to play for adults?"),
    ("music", "Who are some famous players of {instrument}?"),
    ("music", "Where did {music_genre} originate?"),
    ("music", "Can you recommend some good {music_genre} albums?"),
    # film
    ("film", "Can you recommend a good {film_genre} movie?"),
    ("film", "What is the best {film_genre} film of the last decade?"),
    ("film", "Who are the most famous directors of {film_genre} films?"),
    # literature
    ("literature", "Who wrote {book}?"),
    ("literature", "What is {book} about?"),
    ("literature", "Is {book} worth reading?"),
    ("literature", "What are the main themes of {book}?"),
    # animals
    ("animals", "How long do {animal} live?"),
    ("animals", "What do {animal} eat?"),
    ("animals", "Are {animal} dangerous to humans?"),
    ("animals", "Where do {animal} live in the wild?"),
    ("animals", "How do {animal} sleep?"),
    ("animals", "How do I take care of {pet}?"),
    ("animals", "Is {pet} a good pet for a small apartment?"),
    # weather
    ("weather", "What is {weather_thing}?"),
    ("weather", "How dangerous is {weather_thing}?"),
    ("weather", "What is the weather usually like in {world_city} in {month}?"),
    # travel
    ("travel", "What are the top things to do in {world_city}?"),
    ("travel", "Is {world_city} expensive for tourists?"),
    ("travel", "How many days do I need to see {world_city}?"),
    ("travel", "What is the best month to visit {country}?"),
    ("travel", "Do I need a visa to travel to {country}?"),
    ("travel", "What is the cheapest way to get from {world_city} to {world_city2}?"),
    # finance
    ("finance", "What is {finance_term}?"),
    ("finance", "Is {finance_term} a good idea for a young investor?"),
    ("finance", "What currency is used in {country}?"),
    # law
    ("law", "What is {law_topic}?"),
    ("law", "Do I need a lawyer for {law_topic}?"),
    ("law", "What is the legal drinking age in {country}?"),
    # language
    ("language", "How do you say {phrase} in {language_name}?"),
    ("language", "How long does it take to learn {language_name}?"),
    ("language", "What does the word {english_word} mean?"),
    ("language", "Can you use {english_word} in a sentence?"),
    ("language", "What is the difference between {grammar_pair}?"),
    # space
    ("space", "How far is {planet} from the Sun?"),
    ("space", "Could humans live on {planet}?"),
    ("space", "How long is a day on {planet}?"),
    ("space", "What is the surface of {planet} like?"),
    # art
    ("art", "What are the most famous works by {painter}?"),
    ("art", "What style did {painter} paint in?"),
    ("art", "Where can I see paintings by {painter}?"),
    # religion
    ("religion", "What are the main beliefs of {religion}?"),
    ("religion", "How many followers does {religion} have?"),
    ("religion", "What are the holiest places in {religion}?"),
    # business
    ("business", "What is {business_topic}?"),
    ("business", "How do I start {business_kind}?"),
    ("business", "How much money do I need to open {business_kind}?"),
    # cars
    ("cars", "Is {car_brand} a reliable car brand?"),
    ("cars", "Which {car_brand} model is best for a family?"),
    ("cars", "How often should I replace {car_part}?"),
    # fashion
    ("fashion", "What should I wear to {occasion}?"),
    ("fashion", "How do I style {garment}?"),
    ("fashion", "What goes well with {garment}?"),
    # games
    ("games", "Is {video_game} worth playing?"),
    ("games", "What platforms is {video_game} available on?"),
    ("games", "How do you play {board_game}?"),
    ("games", "What is a good strategy for winning at {board_game}?"),
    # jokes
    ("jokes", "Can you tell me a joke about {joke_topic}?"),
    ("jokes", "Do you know any funny jokes about {joke_topic}?"),
    ("jokes", "What's the best pun about {joke_topic}?"),
    # homework
    ("homework", "Can you help me with my {school_subject} homework?"),
    ("homework", "How can I get better grades in {school_subject}?"),
    ("homework", "Can you give me five practice questions on {school_subject}?"),
    # philosophy
    ("philosophy", "What were the main ideas of {philosopher}?"),
    ("philosophy", "Which book by {philosopher} should I read first?"),
    # psychology
    ("psychology", "What is {psych_topic}?"),
    ("psychology", "How can I overcome {psych_topic}?"),
    # environment
    ("environment", "What causes {env_topic}?"),
    ("environment", "How can we reduce {env_topic}?"),
    # home-garden
    ("home-garden", "How often should I water {houseplant}?"),
    ("home-garden", "Why are the leaves on {houseplant} turning yellow?"),
    # careers
    ("careers", "How do I become {job}?"),
    ("careers", "How much does {job} earn per year?"),
    ("careers", "What does a typical day look like for {job}?"),
    # shopping
    ("shopping", "What should I look for when buying {product}?"),
    ("shopping", "Which brand makes the best {product_bare}?"),
    # mythology
    ("mythology", "Who is {myth_figure} in mythology?"),
    ("mythology", "What are the most famous stories about {myth_figure}?"),
    # tv
    ("tv", "Is {tv_show} worth watching?"),
    ("tv", "How many seasons of {tv_show} are there?"),
    ("tv", "Where can I stream {tv_show}?"),
    # education
    ("education", "How hard is it to get into {university}?"),
    ("education", "How much does it cost to study at {university}?"),
    # trivia
    ("trivia", "When was {trivia_thing} invented?"),
    ("trivia", "What is the national dish of {country}?"),
    # smalltalk
    ("smalltalk", "What is your favourite {fav_thing}?"),
    ("smalltalk", "Do you like {hobby}?"),
    ("smalltalk", "I spent the whole weekend {weekend_activity}, what did you do?"),

    # ---- near-vietnam-history
    ("near-vietnam-history", "Who was {vn_figure}?"),
    ("near-vietnam-history", "When did {vn_figure} live?"),
    ("near-vietnam-history", "What is {vn_figure} best remembered for?"),
    ("near-vietnam-history", "Why is {vn_figure} an important figure in Vietnamese history?"),
    ("near-vietnam-history", "Where was {vn_figure} born?"),
    ("near-vietnam-history", "Are there temples or streets named after {vn_figure}?"),
    ("near-vietnam-history", "Can you give me a short biography of {vn_figure}?"),
    ("near-vietnam-history", "When did the {vn_dynasty} begin?"),
    ("near-vietnam-history", "Who founded the {vn_dynasty}?"),
    ("near-vietnam-history", "Where was the capital during the {vn_dynasty}?"),
    ("near-vietnam-history", "What were the main achievements of the {vn_dynasty}?"),
    ("near-vietnam-history", "How did the {vn_dynasty_early} come to an end?"),
    ("near-vietnam-history", "What happened during {vn_event}?"),
    ("near-vietnam-history", "Why was {vn_event} so significant?"),
    ("near-vietnam-history", "What year did {vn_event} take place?"),
    # ---- near-hcmc-travel
    ("near-hcmc-travel", "How do I get from {hcmc_spot} to {hcmc_spot2}?"),
    ("near-hcmc-travel", "How much is a Grab from {hcmc_spot} to {hcmc_spot2}?"),
    ("near-hcmc-travel", "Is {hcmc_sight} worth visiting?"),
    ("near-hcmc-travel", "What are the opening hours of {hcmc_venue}?"),
    ("near-hcmc-travel", "How much is the entrance ticket for {hcmc_venue}?"),
    ("near-hcmc-travel", "How much time should I spend at {hcmc_sight}?"),
    ("near-hcmc-travel", "Are there good hotels near {hcmc_spot}?"),
    ("near-hcmc-travel", "What is the weather like in Ho Chi Minh City in {month}?"),
    ("near-hcmc-travel", "Is {month} a good month to visit Saigon?"),
    ("near-hcmc-travel", "What is the best way to travel from {vn_city} to Ho Chi Minh City?"),
    ("near-hcmc-travel", "Are there direct flights from {abroad_city} to Ho Chi Minh City?"),
    ("near-hcmc-travel", "How long is the flight from {abroad_city} to Saigon?"),
    # ---- near-hcmc-food
    ("near-hcmc-food", "Where can I find good {vn_dish} in Ho Chi Minh City?"),
    ("near-hcmc-food", "What is in {vn_dish}?"),
    ("near-hcmc-food", "How much does {vn_dish} cost on the street in Saigon?"),
    ("near-hcmc-food", "Is {vn_dish} spicy?"),
    ("near-hcmc-food", "How do you pronounce {vn_dish}?"),
    ("near-hcmc-food", "Which region of Vietnam does {vn_dish} come from?"),
    ("near-hcmc-food", "Can I make {vn_dish} at home?"),
    ("near-hcmc-food", "Is there a vegetarian version of {vn_dish}?"),
    ("near-hcmc-food", "What is {vn_drink} and where can I try it in Saigon?"),
    ("near-hcmc-food", "How is {vn_drink} made?"),
    # ---- near-museum-logistics
    ("near-museum-logistics", "Is the museum open on {museum_day}?"),
    ("near-museum-logistics", "What time does the museum close on {museum_day}?"),
    ("near-museum-logistics", "Is the museum open during {museum_holiday}?"),
    ("near-museum-logistics", "Are there ticket discounts for {visitor_group}?"),
    ("near-museum-logistics", "How much is the entrance fee for {visitor_group}?"),
    ("near-museum-logistics", "Can I bring {museum_item} into the museum?"),
    ("near-museum-logistics", "Is there a guided tour in {tour_lang}?"),
    ("near-museum-logistics", "Is the audio guide available in {tour_lang}?"),
    ("near-museum-logistics", "Where is the nearest {museum_facility}?"),
    ("near-museum-logistics", "Which floor is the {museum_facility} on?"),
    # ---- near-other-revolutionaries
    ("near-other-revolutionaries", "When was {revolutionary} born?"),
    ("near-other-revolutionaries", "Where was {revolutionary} born?"),
    ("near-other-revolutionaries", "How did {revolutionary} die?"),
    ("near-other-revolutionaries", "Where is {revolutionary} buried?"),
    ("near-other-revolutionaries", "What was {revolutionary}'s childhood like?"),
    ("near-other-revolutionaries", "Who did {revolutionary} marry?"),
    ("near-other-revolutionaries", "Did {revolutionary} write any books?"),
    ("near-other-revolutionaries", "What education did {revolutionary} receive?"),
    ("near-other-revolutionaries", "What is {revolutionary} most famous for?"),
    ("near-other-revolutionaries", "Can you summarise the life of {revolutionary}?"),
    ("near-other-revolutionaries", "What are some famous quotes by {revolutionary}?"),
    ("near-other-revolutionaries", "How is {revolutionary} remembered today?"),
    # ---- near-other-leaders
    ("near-other-leaders", "When was {leader_dead} born?"),
    ("near-other-leaders", "How did {leader_dead} die?"),
    ("near-other-leaders", "What was {leader_dead}'s early life like?"),
    ("near-other-leaders", "Who was {leader_dead} married to?"),
    ("near-other-leaders", "How many children did {leader_dead} have?"),
    ("near-other-leaders", "What is {leader_dead} best known for?"),
    ("near-other-leaders", "Where is {leader_dead} buried?"),
    ("near-other-leaders", "How old is {leader_living}?"),
    ("near-other-leaders", "Where did {leader_living} go to university?"),
    ("near-other-leaders", "What did {leader_living} do before entering politics?"),
    ("near-other-leaders", "Has {leader_living} written a memoir?"),
    # ---- near-vietnam-general
    ("near-vietnam-general", "What is the best way to get to {vn_place}?"),
    ("near-vietnam-general", "How many days should I spend in {vn_place}?"),
    ("near-vietnam-general", "What is {vn_place} famous for?"),
    ("near-vietnam-general", "When is the best season to visit {vn_place}?"),
    ("near-vietnam-general", "Is {vn_place} good for a family holiday?"),
    ("near-vietnam-general", "What is the weather like in {vn_place} in {month}?"),
    ("near-vietnam-general", "How do you say {vn_phrase} in Vietnamese?"),
    ("near-vietnam-general", "What is the meaning of {vn_custom} in Vietnamese culture?"),
]

ENT["fav_thing"] = [
    "season", "animal", "book", "song", "food", "holiday", "sport", "city",
    "colour", "number", "word", "planet", "dessert", "board game",
]
ENT["hobby"] = [
    "dancing", "cooking", "reading novels", "football", "hiking", "painting",
    "video games", "karaoke", "gardening", "rainy days", "cats", "spicy food",
    "poetry", "puzzles",
]
ENT["weekend_activity"] = [
    "watching cartoons", "cleaning my flat", "playing football", "sleeping",
    "baking bread", "at the beach", "studying for exams", "fixing my bike",
]
ENT["hcmc_venue"] = [
    "the Saigon Central Post Office", "the Reunification Palace",
    "the War Remnants Museum", "the Jade Emperor Pagoda", "Binh Tay Market",
    "Ben Thanh Market", "the Landmark 81 SkyView", "the Bitexco Skydeck",
    "Dam Sen Water Park", "Suoi Tien Theme Park", "the Saigon Zoo and Botanical Garden",
    "the Fine Arts Museum in District 1", "the Cu Chi tunnels", "Thien Hau Temple",
]

# plain forms of product names for "best {product_bare}" frames
ENT["product_bare"] = [re.sub(r"^(a|an) ", "", p) for p in ENT["product"]]

# How many templated questions to add per category on top of the
# hand-written ones; near-miss categories are filled up to NEAR_TARGET.
GENERAL_TEMPLATE_QUOTA = 24
NEAR_TARGET = 185
MATH_NUMBER_SLOTS = ("a", "b", "n", "d", "p", "sq")

ENT["relation"] = [
    "my mother-in-law", "my boyfriend", "my girlfriend", "my husband", "my wife",
    "my best friend", "my older brother", "my boss", "my roommate",
    "my grandfather", "my teenage son", "my new neighbour",
]
ENT["child_age"] = ["two", "three", "four", "five", "six", "eight", "ten", "twelve", "fourteen"]
FRAMES += [
    ("relationships", "What is a thoughtful gift for {relation}?"),
    ("relationships", "How do I apologise to {relation} after an argument?"),
    ("relationships", "How can I spend more quality time with {relation}?"),
    ("parenting", "How much sleep does a {child_age}-year-old need?"),
    ("parenting", "What are good activities for a {child_age}-year-old on the weekend?"),
    ("parenting", "How much screen time is healthy for a {child_age}-year-old?"),
]

# ---------------------------------------------------------------------------
# 4. Assembly
# ---------------------------------------------------------------------------
SLOT_RE = re.compile(r"\{([a-z_]+?)(2?)\}")

# Forbidden patterns: the person Ho Chi Minh and his well-known aliases /
# on-topic landmarks must never appear.
FORBIDDEN = [
    re.compile(r"ho\s+chi\s+minh(?!\s+city)", re.I),
    re.compile(r"\btrail\b", re.I),
    re.compile(r"uncle\s+ho\b", re.I),
    re.compile(r"\bbac\s+ho\b", re.I),
    re.compile(r"nguyen\s+(ai\s+quoc|tat\s+thanh|sinh\s+cung)", re.I),
    re.compile(r"\b(kim\s+lien|pac\s+bo|ba\s+dinh|nha\s+rong)\b", re.I),
    re.compile(r"\bviet\s*minh\b", re.I),
]


def normalise(q):
    q = re.sub(r"\s+", " ", q).strip()
    if q and q[-1] not in "?.!":
        q += "?"
    return q


def key(q):
    return re.sub(r"\s+", " ", q).strip().lower()


def is_allowed(q):
    return not any(p.search(q) for p in FORBIDDEN)


def math_fill(frame, rng):
    """Fill numeric slots of a math frame with random numbers."""
    vals = {
        "a": rng.randint(11, 99),
        "b": rng.randint(3, 49),
        "d": rng.choice([2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 25]),
        "p": rng.choice([5, 10, 12, 15, 20, 25, 30, 40, 75]),
        "sq": rng.randint(4, 40) ** 2,
    }
    if "{d}" in frame:
        vals["n"] = vals["d"] * rng.randint(3, 60)
    else:
        vals["n"] = rng.randint(20, 999)
    return frame.format(**vals)


def expand(frame, rng):
    """All fillings of a frame (numeric frames get a fixed random sample)."""
    slots = SLOT_RE.findall(frame)
    names = [n for n, _ in slots]
    if any(n in MATH_NUMBER_SLOTS for n in names):
        return [math_fill(frame, rng) for _ in range(30)]
    combos = [{}]
    for name, second in slots:
        new = []
        for c in combos:
            for v in ENT[name]:
                if second and c.get(name) == v:
                    continue
                d = dict(c)
                d[name + second] = v
                if not second:
                    d[name] = v
                new.append(d)
        combos = new
    out = []
    for c in combos:
        out.append(frame.format(**c))
    return out


def main():
    rng = random.Random(SEED)
    rows = []
    seen = set()

    def add(q, cat):
        q = normalise(q)
        k = key(q)
        if not q or k in seen or not is_allowed(q):
            return False
        n_words = len(q.split())
        if n_words < 3 or n_words > 25:
            return False
        seen.add(k)
        rows.append((q, cat))
        return True

    # hand-written questions first
    counts = {}
    for cat, block in STANDALONE.items():
        for line in block.splitlines():
            if line.strip() and add(line, cat):
                counts[cat] = counts.get(cat, 0) + 1

    # templated questions, round-robin over the frames of each category
    by_cat = {}
    for cat, frame in FRAMES:
        by_cat.setdefault(cat, []).append(frame)
    for cat in sorted(by_cat):
        pools = []
        for frame in by_cat[cat]:
            cands = expand(frame, rng)
            rng.shuffle(cands)
            pools.append(cands)
        if cat.startswith("near-"):
            quota = max(0, NEAR_TARGET - counts.get(cat, 0))
        else:
            quota = GENERAL_TEMPLATE_QUOTA
        added = 0
        idx = [0] * len(pools)
        while added < quota and any(i < len(p) for i, p in zip(idx, pools)):
            for j, pool in enumerate(pools):
                if added >= quota:
                    break
                while idx[j] < len(pool):
                    q = pool[idx[j]]
                    idx[j] += 1
                    if add(q, cat):
                        added += 1
                        break
        counts[cat] = counts.get(cat, 0) + added

    rng.shuffle(rows)
    with open(OUT_PATH, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["question", "category"])
        for q, cat in rows:
            w.writerow([q, cat])
    print("wrote %d questions to %s" % (len(rows), OUT_PATH))
    for cat in sorted(counts):
        print("  %-28s %d" % (cat, counts[cat]))


if __name__ == "__main__":
    main()
